"""Test helpers: build blocs, fill templates as a unit would, drive LibreOffice headless."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.bloc.spec import default_bloc_spec
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.model import Bloc, Kind
from thidua_xlsx.writers.bloc_book import write_bloc_workbook
from thidua_xlsx.writers.template import write_templates

GOOD_DATA: dict[str, Any] = {
    "TS": 20,
    "LDTT": 19,
    "CSTD": 3,
    "KHTNV": 0,
    "KL": 0,
    "XLDV": "Hoàn thành xuất sắc nhiệm vụ",
    "XLTCD": "Hoàn thành tốt nhiệm vụ",
}


def norm(value: object) -> str:
    return unicodedata.normalize("NFC", str(value if value is not None else "")).strip()


def spec(**changes: Any) -> dict[str, Any]:
    """The default bloc spec with parts replaced (info keys merged, other parts replaced)."""
    s = copy.deepcopy(default_bloc_spec())
    for key, value in changes.items():
        if key == "info":
            s["info"].update(value)
        else:
            s[key] = value
    return s


def make_bloc(folder: Path, bloc_spec: dict[str, Any] | None = None) -> tuple[Path, Bloc]:
    """Write khoi.xlsx into `folder` and load it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_bloc_workbook(folder / "khoi.xlsx", bloc_spec, force=True)
    return path, load_bloc(path)


def make_templates(bloc: Bloc, folder: Path, units: list[str] | None = None) -> dict[str, Path]:
    """Templates by unit code."""
    paths = write_templates(bloc, folder, units=units, force=True, workers=1)
    return {p.name.split("_", 1)[0]: p for p in paths}


def find_header(ws, labels: list[str], max_rows: int = 80) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_rows, values_only=True), start=1):
        cells = {norm(v): c for c, v in enumerate(row, start=1) if v is not None}
        if all(label in cells for label in labels):
            return r, {label: cells[label] for label in labels}
    return None


def template_cells(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """criterion code → A1 of 'Điểm tự chấm'; data code → A1 of 'Giá trị' (found by header, as users do)."""
    wb = openpyxl.load_workbook(path)
    out = []
    for sheet, labels, col in (
        (L.SHEET_SCORES, L.SCORE_HEADERS, L.S_SCORE),
        (L.SHEET_DATA, L.DATA_HEADERS, L.D_VALUE),
    ):
        ws = wb[sheet]
        head, cols = find_header(ws, labels)
        cells = {}
        for r in range(head + 1, ws.max_row + 1):
            code = norm(ws.cell(r, cols["Mã"]).value)
            if code:
                cells[code] = ws.cell(r, cols[col]).coordinate
        out.append(cells)
    return out[0], out[1]


def full_scores(bloc: Bloc, fraction: Decimal | str = "1", *, bonus: Decimal | str = "0") -> dict[str, float]:
    """Every base leaf at `fraction` of its max (2 decimals), bonus leaves at `bonus` of max, deductions 0."""
    out: dict[str, float] = {}
    for c in bloc.leaves:
        share = {Kind.BASE: Decimal(fraction), Kind.BONUS: Decimal(bonus), Kind.DEDUCTION: Decimal(0)}[c.kind]
        out[c.code] = float((c.max * share).quantize(Decimal("0.01")))
    return out


def fill(template: Path, out: Path, scores: dict[str, Any], data: dict[str, Any] | None = None) -> Path:
    """Fill a template with openpyxl, as a unit's clerk would, and save it to `out`."""
    score_cells, data_cells = template_cells(template)
    wb = openpyxl.load_workbook(template)
    for code, value in scores.items():
        wb[L.SHEET_SCORES][score_cells[code]].value = value
    for code, value in (GOOD_DATA if data is None else data).items():
        wb[L.SHEET_DATA][data_cells[code]].value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def expected_total(bloc: Bloc, scores: dict[str, Any]) -> Decimal:
    total = Decimal(0)
    for c in bloc.leaves:
        v = Decimal(str(scores[c.code]).replace(",", "."))
        total += -v if c.kind is Kind.DEDUCTION else v
    return total


# LibreOffice headless -----------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def lo_convert(src: Path, fmt: str, outdir: Path, *, timeout: int = 180) -> Path:
    """Convert with LibreOffice headless (fmt: 'xlsx', 'xls', 'ods', 'pdf'); a private profile
    per call so parallel runs do not fight over one."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    filters = {
        "xlsx": 'xlsx:"Calc MS Excel 2007 XML"',
        "xls": 'xls:"MS Excel 97"',
        "ods": "ods",
        "pdf": "pdf",
    }
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            filters[fmt].replace('"', ""),
            "--outdir",
            str(outdir),
            str(src),
        ]
        env = dict(os.environ, HOME=profile)
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env=env)
    out = outdir / (src.stem + "." + fmt)
    if not out.exists():
        raise RuntimeError(f"LibreOffice did not write {out}")
    return out
