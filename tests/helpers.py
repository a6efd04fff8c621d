"""Test helpers: build blocs, fill templates as a unit would, drive LibreOffice headless."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import io
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

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


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def saved_at(path: Path, when: dt.datetime) -> Path:
    """Record in an .xlsx that it was last saved at `when` (naive: UTC), in docProps/core.xml as
    Excel and LibreOffice do on saving; openpyxl records the moment it wrote the file."""
    stamp = (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data, n = _MODIFIED.subn(rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
                assert n == 1, "no dcterms:modified to set"
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())
    return path


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
    """'Bình xét': input cells of the meeting (right of each label), table columns, header row."""
    inputs, head, cols = {}, None, {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in L.MEETING_LABELS and cell.value not in inputs:
                inputs[cell.value] = ws.cell(cell.row, cell.column + 1).coordinate
            if cell.value == L.V_CODE and head is None:
                head = cell.row
                cols = {c.value: c.column for c in row if c.value}
    return inputs, cols, head


def adjust_table(ws) -> tuple[int, dict[str, int]]:
    """'Điều chỉnh điểm': header row and columns."""
    found = find_header(ws, L.ADJUST_HEADERS)
    assert found is not None, "no 'Điều chỉnh điểm' header"
    return found


def edit(
    path: Path,
    *,
    meeting: dict[str, Any] | None = None,
    rows: dict[str, dict[str, Any]] | None = None,
    adjust: list[tuple[Any, ...]] | None = None,
    meta: dict[str, Any] | None = None,
) -> Path:
    """Type the meeting's record as the secretary would, and save: `meeting` by label of
    'Bình xét', `rows` by unit code and column label, `adjust` as rows of 'Điều chỉnh điểm'
    (unit, criterion, agreed score, reason) typed into its first empty input rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.R_REVIEW]
    inputs, cols, head = locate(ws)
    for label, value in (meeting or {}).items():
        ws[inputs[label]] = value
    for r in range(head + 1, ws.max_row + 1):
        code = ws.cell(r, cols[L.V_CODE]).value
        for label, value in (rows or {}).get(code, {}).items():
            ws.cell(r, cols[label]).value = value
    if adjust:
        sheet = wb[L.R_ADJUST]
        top, acols = adjust_table(sheet)
        r = top + 1
        for unit, criterion, agreed, reason in adjust:
            while sheet.cell(r, acols[L.J_UNIT]).value not in (None, ""):
                r += 1
            for label, value in (
                (L.J_UNIT, unit),
                (L.J_CRITERION, criterion),
                (L.J_AGREED, agreed),
                (L.J_REASON, reason),
            ):
                sheet.cell(r, acols[label]).value = value
            r += 1
    for key, value in (meta or {}).items():
        for row in wb[L.SHEET_META].iter_rows():
            if row[0].value == key:
                row[1].value = value
    wb.save(path)
    return path


def _load_make_files() -> Any:
    spec = importlib.util.spec_from_file_location("make_files", FILES / "make_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_files = _load_make_files()


# LibreOffice: convert many files in one start ---------------------------------------------

FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods",
    "pdf": "pdf",
    "doc": "doc:MS Word 97",
}
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


# Odd containers and the console command under a watchdog ----------------------------------


def raw_zip(members: list[tuple[bytes, bytes]], *, utf8_flag: bool = False) -> bytes:
    """A zip whose member names are the given bytes (as old Windows or macOS tools write them)."""
    body, central = b"", b""
    for name, data in members:
        flags = 0x800 if utf8_flag else 0
        crc, offset = zlib.crc32(data), len(body)
        head = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, 0, 0, 0x5994, crc, len(data), len(data),
                           len(name), 0)  # fmt: skip
        body += head + name + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, 0, 0, 0x5994, crc, len(data),
                               len(data), len(name), 0, 0, 0, 0, 0, offset) + name  # fmt: skip
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    return body + central + end


def run_cli(*args: str | bytes, cwd: Path, timeout: float = 300, **kwargs: Any) -> subprocess.CompletedProcess:
    """The console command (`thidua-xlsx …`) in its own process, bounded by a watchdog: a run
    that does not end within `timeout` seconds is killed with all its workers and fails the test."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    code = "from thidua_xlsx.cli import run; run()"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, **kwargs)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"thidua-xlsx {' '.join(map(str, args))} did not end within {timeout} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode("utf-8"), err.decode("utf-8"))
