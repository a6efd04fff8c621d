"""Test helpers: build blocs, fill templates as a unit would, drive LibreOffice headless."""

from __future__ import annotations

import copy
import importlib.util
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
from thidua_xlsx.intake.inbox import Source
from thidua_xlsx.intake.returns import ReturnData, read_return
from thidua_xlsx.writers.bloc_book import write_bloc_workbook
from thidua_xlsx.writers.template import write_templates

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent  # the checkout
FILES = TESTS / "files"  # the hostile-file corpus
SAMPLES = ROOT / "samples"

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
    """The default bloc spec with parts replaced (info keys merged, other parts replaced). Other
    units drop the example history of the default's units (and its deputy), unless given."""
    s = copy.deepcopy(default_bloc_spec())
    if "units" in changes:
        s["history"] = []
        s["info"]["Khối phó"] = ""
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


# Plans and readers shared by several test files ------------------------------------------

PLAN_90: dict[str, float] = {
    "1.1": 13.5, "1.2": 8, "1.3": 5, "2.1": 7.5, "2.2": 6, "2.3": 6, "3.1": 8, "3.2": 5.5,
    "4.1": 3, "4.2": 4, "4.3": 4, "4.4": 2.5, "4.5": 4, "5.1": 3, "5.2": 3, "5.3": 1.5, "5.4": 2, "5.5": 2,
    "6.1": 1.5, "6.2": 0.5, "7.1": 0.5, "7.2": 0, "7.3": 0,
}  # fmt: skip
EXPECTED_90 = (Decimal("88.5"), Decimal(2), Decimal("0.5"), Decimal(90))


def read(path: Path, bloc: Bloc) -> ReturnData:
    """One file read as collect reads it (in this process)."""
    st = path.stat()
    return read_return(Source(str(path), path, (), st.st_mtime, st.st_size), bloc)


def locate(ws) -> tuple[dict[str, str], dict[str, int], int]:
    """Input cells of the meeting (right of each label), table columns, and the header row."""
    inputs, head, cols = {}, None, {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in (L.PRESENT, L.NEXT_LEADER, L.NEXT_DEPUTY):
                inputs[cell.value] = ws.cell(cell.row, cell.column + 1).coordinate
            if cell.value == L.V_CODE and head is None:
                head = cell.row
                cols = {c.value: c.column for c in row if c.value}
    return inputs, cols, head


def edit(path: Path, *, present=None, leader=None, deputy=None, rows: dict | None = None, meta: dict | None = None):
    """Type the meeting's decisions into 'Bình xét' as the secretary would, and save."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.R_REVIEW]
    inputs, cols, head = locate(ws)
    for label, value in ((L.PRESENT, present), (L.NEXT_LEADER, leader), (L.NEXT_DEPUTY, deputy)):
        if value is not None:
            ws[inputs[label]] = value
    for r in range(head + 1, ws.max_row + 1):
        code = ws.cell(r, cols[L.V_CODE]).value
        for label, value in (rows or {}).get(code, {}).items():
            ws.cell(r, cols[label]).value = value
    for key, value in (meta or {}).items():
        for row in wb[L.SHEET_META].iter_rows():
            if row[0].value == key:
                row[1].value = value
    wb.save(path)
    return inputs, cols, head


def _load_make_files() -> Any:
    spec = importlib.util.spec_from_file_location("make_files", FILES / "make_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_files = _load_make_files()


# LibreOffice: convert many files in one start ---------------------------------------------

FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods", "pdf": "pdf"}
PDFTOTEXT = shutil.which("pdftotext")


def lo_batch(sources: list[Path], fmt: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert many files in one LibreOffice start, with a private profile (reused between
    calls: creating one costs more than a conversion)."""
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    cmd += ["--convert-to", FILTERS[fmt], "--outdir", str(outdir), *map(str, sources)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300, env=dict(os.environ, HOME=str(profile)))
    out = [outdir / f"{s.stem}.{fmt}" for s in sources]
    missing = [p for p in out if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return out


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]
