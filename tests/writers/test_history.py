"""'Qua các năm' (§7, §12) and the JSON report's `history` (§8): a bloc's earlier years beside this one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal

import openpyxl
import pytest
from helpers import GOOD_DATA, ROOT, expected_total, fill, full_scores, make_bloc, spec

from thidua_xlsx.core import labels as L
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.ranking_book import write_ranking

XS, TT = "Tập thể lao động xuất sắc", "Tập thể lao động tiên tiến"
FIELDS = [L.H_TOTAL, L.H_RANK, L.H_RATING, L.H_TITLE, L.H_AWARD]


@pytest.fixture(scope="module")
def ranked(default_bloc, default_templates, tmp_path_factory) -> dict:
    """Two returns of the default bloc (example history 2022–2023): KTHT clean, VHTT higher
    but with one member disciplined."""
    _, bloc = default_bloc
    tmp = tmp_path_factory.mktemp("history")
    plans = {"KTHT": (full_scores(bloc, "0.9"), GOOD_DATA), "VHTT": (full_scores(bloc, "0.95"), GOOD_DATA | {"KL": 1})}
    for code, (scores, data) in plans.items():
        fill(default_templates[code], tmp / "inbox" / f"{code}.xlsx", scores, data)
    report = collect(tmp / "inbox", bloc)
    book = write_ranking(report, tmp / "xep_hang_2024.xlsx")
    totals = {code: expected_total(bloc, scores) for code, (scores, _) in plans.items()}
    return {"bloc": bloc, "report": report, "book": book, "totals": totals}


def _table(ws) -> tuple[int, dict[tuple[int, str], int], dict[str, int]]:
    """The first header row, columns by (year, field) under the two header rows, rows by unit code."""
    head = next(r for r in range(1, 20) if ws.cell(r, 1).value == L.UNIT_CODE)
    cols: dict[tuple[int, str], int] = {}
    year = None
    for c in range(3, ws.max_column + 1):
        group = ws.cell(head, c).value
        if group:
            year = int(group.split()[1])
        cols[(year, ws.cell(head + 1, c).value)] = c
    rows = {ws.cell(r, 1).value: r for r in range(head + 2, ws.max_row + 1) if ws.cell(r, 1).value}
    return head, cols, rows


def test_the_sheet_shows_each_unit_over_the_years(ranked) -> None:
    bloc, report = ranked["bloc"], ranked["report"]
    wb = openpyxl.load_workbook(ranked["book"])
    # after every sheet of L.RANKING_SHEETS (the review round's included), before the hidden ones
    assert wb.sheetnames.index(L.R_HISTORY) == len(L.RANKING_SHEETS)
    ws = wb[L.R_HISTORY]
    head, cols, rows = _table(ws)
    assert sorted({year for year, _ in cols}) == [2022, 2023, 2024]
    assert [field for year, field in cols if year == 2024] == FIELDS
    assert list(rows) == [u.code for u in report.units]  # ranking order, every unit of the bloc
    assert ws.cell(head, cols[(2024, L.H_TOTAL)]).value == "Năm 2024 (năm nay)"

    def cell(code: str, year: int, field: str) -> object:
        return ws.cell(rows[code], cols[(year, field)]).value

    for code in ("KTHT", "VHTT", "PTQD"):
        for year, p in bloc.past[code].items():
            got = [cell(code, year, f) for f in FIELDS]
            assert got == [float(p.total), p.rank, p.rating.label, p.title, p.award or None], (code, year)
    # this year: VHTT first on points, but its disciplined member costs it both titles and the award
    vhtt, ktht = ranked["totals"]["VHTT"], ranked["totals"]["KTHT"]
    assert [cell("VHTT", 2024, f) for f in FIELDS] == [float(vhtt), 1, GOOD_DATA["XLDV"], None, None]
    assert [cell("KTHT", 2024, f) for f in FIELDS] == [
        float(ktht),
        2,
        GOOD_DATA["XLDV"],
        XS,
        "Bằng khen của Chủ tịch UBND tỉnh",
    ]
    assert [cell("PTQD", 2024, f) for f in FIELDS] == [None] * 5  # sent nothing this year


def test_the_json_report_carries_each_units_history(ranked) -> None:
    bloc, report = ranked["bloc"], ranked["report"]
    doc = json.loads(report.to_json())
    units = {u["code"]: u for u in doc["units"]}
    assert all(len(u["history"]) == 2 for u in units.values())
    first, last = units["KTHT"]["history"]
    assert first == {
        "year": 2022,
        "total": float(bloc.past["KTHT"][2022].total),
        "rank": bloc.past["KTHT"][2022].rank,
        "rating": "Hoàn thành xuất sắc nhiệm vụ",
        "title": XS,
        "award": "Cờ thi đua của UBND tỉnh",
    }
    assert last["year"] == 2023 and Decimal(str(last["total"])) == bloc.past["KTHT"][2023].total
    # the pivot behind the sheet holds exact Decimals and real ranks
    table = report.history
    assert table.loc["VHTT", (2024, "total")] == ranked["totals"]["VHTT"]
    assert table.loc["KTHT", (2023, "rank")] == bloc.past["KTHT"][2023].rank


def test_a_bloc_without_history_gets_neither_and_collect_never_imports_pandas(default_templates, tmp_path) -> None:
    config, bloc = make_bloc(tmp_path, spec(history=[]))
    fill(default_templates["KTHT"], tmp_path / "inbox" / "KTHT.xlsx", full_scores(bloc, "0.9"))
    script = textwrap.dedent(f"""
        import json, sys
        from thidua_xlsx.bloc.load import load_bloc
        from thidua_xlsx.ranking.assemble import collect
        from thidua_xlsx.writers.ranking_book import write_ranking
        report = collect({str(tmp_path / "inbox")!r}, load_bloc(sys.argv[1]), workers=1)
        write_ranking(report, {str(tmp_path / "xh.xlsx")!r})
        doc = json.loads(report.to_json())
        print(json.dumps({{"pandas": "pandas" in sys.modules, "history": any("history" in u for u in doc["units"])}}))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with_history = make_bloc(tmp_path / "with", spec())[0]
    for path, has_history in ((config, False), (with_history, True)):
        out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, env=env,
                             timeout=300, check=True)  # fmt: skip
        assert json.loads(out.stdout.splitlines()[-1]) == {"pandas": False, "history": has_history}
    wb = openpyxl.load_workbook(tmp_path / "xh.xlsx")
    assert L.R_HISTORY in wb.sheetnames  # the last run, with history
