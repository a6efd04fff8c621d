"""The benchmark runs end to end on a tiny corpus and prints its table (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from thidua_xlsx.core import labels as L

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench.py"


def test_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "20", "--small", "10", "--runs", "1", "--warmup", "0",
         "--corpus-dir", str(tmp_path / "corpus"), "--json", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    for label in ("sàn: calamine đọc trần", "vòng lặp pandas + openpyxl", "thidua-xlsx collect",
                  "thidua-xlsx templates", "Chi phí biên mỗi bảng tự chấm", "collect / sàn"):  # fmt: skip
        assert label in table, table
    data = json.loads(out.read_text(encoding="utf-8"))
    commands = {(t["command"], t["size"]) for t in data["tasks"]}
    assert {("floor", 20), ("peer", 20), ("collect", 10), ("collect", 20), ("templates", 20)} <= commands
    assert all(t["wall_s"] > 0 for t in data["tasks"])

    # The corpus is what a unit's return looks like: the template's sheets, formulas with
    # cached results, validations, protection; and the answers in the input cells.
    inbox = tmp_path / "corpus" / "n20" / "inbox"
    files = sorted(inbox.glob("*.xlsx"))
    assert len(files) == 20
    with zipfile.ZipFile(files[0]) as zf:
        assert zf.testzip() is None
    wb = openpyxl.load_workbook(files[0])
    assert wb.sheetnames[:2] == [L.SHEET_SCORES, L.SHEET_DATA] and L.SHEET_META in wb.sheetnames
    ws = wb[L.SHEET_SCORES]
    assert ws.protection.sheet and ws.data_validations.dataValidation
    assert any(isinstance(c.value, str) and c.value.startswith("=SUM(") for row in ws.iter_rows() for c in row)
    cached = openpyxl.load_workbook(files[0], data_only=True)[L.SHEET_SCORES]
    totals = [row[3].value for row in cached.iter_rows() if row[1].value == L.TOTAL]
    assert totals and isinstance(totals[0], int | float) and totals[0] > 0
