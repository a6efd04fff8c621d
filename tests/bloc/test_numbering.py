"""Criteria numbered the way blocs number their tables (PRODUCT.md §3): Roman sections, numbers
restarting under each, letters below, '1.' and 'a)', mixed with dotted codes. The same table in
dotted codes is the reference: same tree, maxima, kinds and texts; templates carry the full codes;
returns on them collect to exact totals; an order that is no hierarchy is an error with its cell."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from helpers import GOOD_DATA, expected_total, fill, full_scores, make_bloc, make_templates, spec, template_cells

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.bloc.numbering import code_key, read_label, shapes
from thidua_xlsx.bloc.spec import default_bloc_spec
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import BlocError
from thidua_xlsx.core.model import Bloc, Kind
from thidua_xlsx.core.report import Status
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.bloc_book import write_bloc_workbook

ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def dotted_rows() -> list[list[Any]]:
    """The shipped criteria with a third level: 1.1 split into 1.1.a and 1.1.b, 7.3 into 7.3.a, 7.3.b."""
    rows: list[list[Any]] = []
    for row in default_bloc_spec()["criteria"]:
        row = list(row)
        if row[0] == "1.1":
            rows += [
                [*row[:2], None, *row[3:]],
                ["1.1.a", "Hoàn thành chương trình công tác năm", 10, "điểm", ""],
                ["1.1.b", "Tham mưu đúng hạn các đề án, kế hoạch", 5, "điểm", "Mỗi việc chậm trừ 1 điểm."],
            ]
        elif row[0] == "7.3":
            rows += [
                [*row[:2], None, *row[3:]],
                ["7.3.a", "Bị phê bình", 2, "trừ", ""],
                ["7.3.b", "Bị kỷ luật", 2, "trừ", ""],
            ]
        else:
            rows.append(row)
    return rows


Style = Callable[[list[str]], str]


def own(section: Style, number: Style, letter: Style) -> Callable[[str], str]:
    """A dotted code written the bloc's own way, given how each level is written."""

    def write(code: str) -> str:
        parts = code.split(".")
        return [section, number, letter][len(parts) - 1](parts)

    return write


# How the rows are written (each a twin of dotted_rows), and the full code each dotted code becomes.
TWINS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "roman-dot-bracket": (
        own(lambda p: ROMAN[int(p[0])] + ".", lambda p: p[1] + ".", lambda p: p[2] + ")"),
        lambda c: ".".join([ROMAN[int(c.split(".")[0])], *c.split(".")[1:]]),
    ),
    "roman-bare": (
        own(lambda p: ROMAN[int(p[0])], lambda p: p[1], lambda p: p[2]),
        lambda c: ".".join([ROMAN[int(c.split(".")[0])], *c.split(".")[1:]]),
    ),
    "roman-brackets-around": (
        own(lambda p: ROMAN[int(p[0])] + ")", lambda p: p[1] + ")", lambda p: f"({p[2]})"),
        lambda c: ".".join([ROMAN[int(c.split(".")[0])], *c.split(".")[1:]]),
    ),
    # Dotted sections and criteria, letters of their own under them: the same full codes.
    "dotted-with-letters": (own(lambda p: p[0], lambda p: ".".join(p), lambda p: p[2] + ")"), lambda c: c),
    # Roman sections, numbers restarting, letters written dotted from their number ('1.a' under 'I').
    "roman-with-dotted-letters": (
        own(lambda p: ROMAN[int(p[0])], lambda p: p[1] + ".", lambda p: f"{p[1]}.{p[2]}"),
        lambda c: ".".join([ROMAN[int(c.split(".")[0])], *c.split(".")[1:]]),
    ),
}


def twin_spec(write: Callable[[str], str]) -> dict[str, Any]:
    rows = copy.deepcopy(dotted_rows())
    for row in rows:
        row[0] = write(row[0])
    return spec(criteria=rows)


def structure(bloc: Bloc) -> list[tuple]:
    """The tree without its codes: parent by position, depth, leaf, maximum, kind, text, guide."""
    index = {c.code: i for i, c in enumerate(bloc.criteria)}
    return [
        (index.get(c.parent or ""), c.depth, c.is_leaf, c.max, c.kind, c.text, c.guide, c.row) for c in bloc.criteria
    ]


@pytest.fixture(scope="module")
def dotted(tmp_path_factory: pytest.TempPathFactory) -> Bloc:
    return make_bloc(tmp_path_factory.mktemp("dotted"), spec(criteria=dotted_rows()))[1]


@pytest.mark.parametrize("style", TWINS, ids=list(TWINS))
def test_own_numbering_gives_the_dotted_tree(dotted, tmp_path, style) -> None:
    write, full = TWINS[style]
    bloc = make_bloc(tmp_path, twin_spec(write))[1]
    assert structure(bloc) == structure(dotted)
    assert [c.code for c in bloc.criteria] == [full(c.code) for c in dotted.criteria]
    assert bloc.kind_max(Kind.BASE) == 100 and bloc.kind_max(Kind.BONUS) == 5 and bloc.kind_max(Kind.DEDUCTION) == 10


def test_full_codes_of_a_roman_table(tmp_path) -> None:
    bloc = make_bloc(tmp_path, twin_spec(TWINS["roman-dot-bracket"][0]))[1]
    codes = [c.code for c in bloc.criteria]
    assert codes[:6] == ["I", "I.1", "I.1.a", "I.1.b", "I.2", "I.3"]
    assert "II.1" in codes and "VII.3.b" in codes and "1.1" not in codes
    assert bloc.by_code["II.1"].parent == "II" and bloc.by_code["VII.3.a"].kind is Kind.DEDUCTION
    # Rows of the sheet: I on row 5, its '1.' on row 6, 'a)' and 'b)' on rows 7 and 8.
    assert [bloc.by_code[c].row for c in ("I", "I.1", "I.1.a", "I.1.b")] == [5, 6, 7, 8]


def test_templates_carry_the_full_codes(tmp_path) -> None:
    bloc = make_bloc(tmp_path / "khoi", twin_spec(TWINS["roman-bare"][0]))[1]
    template = make_templates(bloc, tmp_path / "mau", ["VHTT"])["VHTT"]
    scores, _ = template_cells(template)
    assert list(scores)[: len(bloc.criteria)] == [c.code for c in bloc.criteria]  # tree order, sections too
    guide = openpyxl.load_workbook(template)[L.SHEET_GUIDE]
    shown = {str(c.value) for row in guide.iter_rows() for c in row if c.value}
    assert {"II.3", "I.1.a", "VII.3.b"} <= shown


def test_returns_on_own_numbering_collect_to_exact_totals(dotted, tmp_path) -> None:
    bloc = make_bloc(tmp_path / "khoi", twin_spec(TWINS["roman-dot-bracket"][0]))[1]
    templates = make_templates(bloc, tmp_path / "mau", ["VHTT", "TCKH", "NV"])
    inbox = tmp_path / "inbox"
    plans = {
        "VHTT": full_scores(bloc, "0.9", bonus="0.5"),
        "TCKH": {**full_scores(bloc, "1"), "VII.1": 1.5, "VII.3.b": 0.5, "VI.2": 1},
        "NV": {**full_scores(bloc, "0.7"), "I.1.a": 8.3, "I.1.b": 3.3, "I.2": 3.4},
    }
    for code, scores in plans.items():
        fill(templates[code], inbox / f"{code}.xlsx", scores, GOOD_DATA)
    report = collect(inbox, bloc, workers=1)
    by_code = {u.code: u for u in report.units}
    for code, scores in plans.items():
        unit = by_code[code]
        assert unit.status is Status.RANKED, (code, [i.message for i in report.issues if i.unit == code])
        assert unit.total == expected_total(bloc, scores), code
    assert by_code["TCKH"].total == Decimal("99.0") and by_code["TCKH"].deduction == 2
    assert by_code["NV"].scores["I.1.a"] == Decimal("8.3")
    # The dotted twin scores the same returns to the same totals.
    renamed = {c.code: d.code for c, d in zip(bloc.criteria, dotted.criteria, strict=True)}
    for scores in plans.values():
        assert expected_total(dotted, {renamed[k]: v for k, v in scores.items()}) == expected_total(bloc, scores)


def test_the_criteria_sheet_bolds_sections_as_read(tmp_path) -> None:
    path = write_bloc_workbook(tmp_path / "khoi.xlsx", twin_spec(TWINS["roman-dot-bracket"][0]))
    ws = openpyxl.load_workbook(path)[L.SHEET_CRITERIA]
    rows = [(ws.cell(r, 1).value, bool(ws.cell(r, 1).font.b)) for r in range(5, ws.max_row + 1)]
    assert rows[:5] == [("I.", True), ("1.", True), ("a)", False), ("b)", False), ("2.", False)]
    assert ("VII.", True) in rows and ("1.", False) in rows
    assert ws.cell(7, 2).alignment.indent == 2 and ws.cell(6, 2).alignment.indent == 1


# Orders that are no hierarchy ----------------------------------------------------------------

SMALL = [["I", "Nhiệm vụ chính trị", None, "điểm", ""], ["1", "Tham mưu", 60, "", ""], ["2", "Cải cách", 40, "", ""]]


def rows_of(*codes_and_max: tuple[str, float | None]) -> list[list[Any]]:
    return [[code, f"Nội dung {i}", value, "", ""] for i, (code, value) in enumerate(codes_and_max)]


BROKEN = [
    # id, (code, max) rows from row 5, the cell, words of the message
    ("letter-before-any-number", rows_of(("I", None), ("a)", 50), ("1.", 50)), "A6",
     ['"a)"', "chữ cái", "số (1, 2", "A7"]),
    ("letter-at-the-top", rows_of(("a", 50), ("1", 50)), "A5", ['"a"', "chữ cái", "cùng cấp", '"1"']),
    ("number-under-nothing", rows_of(("1.", 50), ("I", None), ("1.", 50)), "A5", ['"1."', "số La Mã", "A6"]),
    ("repeated-sibling", rows_of(("I", None), ("1.", 50), ("2.", 25), ("1.", 25)), "A8",
     ['"1."', "bị trùng", 'mục "I"', "A6"]),
    ("repeated-section", rows_of(("I", None), ("1", 50), ("I", None), ("2", 50)), "A7",
     ['"I"', "cấp ngoài cùng", "A5"]),
    ("repeated-letter", rows_of(("1", None), ("a)", 50), ("a)", 50)), "A7", ['"a)"', 'mục "1"', "1.a"]),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "cell", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_an_order_that_is_no_hierarchy_is_an_error_with_its_cell(tmp_path, rows, cell, words) -> None:
    path = write_bloc_workbook(tmp_path / "khoi.xlsx", spec(criteria=rows))
    with pytest.raises(BlocError) as info:
        load_bloc(path)
    found = [(p.sheet, p.cell) for p in info.value.problems]
    assert found == [(L.SHEET_CRITERIA, cell)], [str(p) for p in info.value.problems]
    message = info.value.problems[0].message
    for word in words:
        assert word in message, (word, message)


def test_a_small_own_table_loads(tmp_path) -> None:
    bloc = make_bloc(tmp_path, spec(criteria=SMALL))[1]
    assert [(c.code, c.max, c.is_leaf) for c in bloc.criteria] == [
        ("I", 100, False),
        ("I.1", 60, True),
        ("I.2", 40, True),
    ]


# The numbering itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "parts"),
    [("1.", ("1",)), ("a)", ("a",)), ("(b)", ("b",)), ("II.", ("II",)), ("1.1.", ("1", "1")), (" 2. 1 ", ("2", "1")),
     ("đ)", ("đ",)), (3.0, ("3",)), ("1,2", None), ("Mục 1", None), ("", None), ("1..2", None)],
)  # fmt: skip
def test_labels(written, parts) -> None:
    label = read_label(written)
    assert (label.parts if label else None) == parts


def test_natural_order_of_full_codes() -> None:
    codes = ["II", "I.10", "IX", "I.2", "IV", "I", "1.đ", "1.e", "1.d", "V", "X", "1.10", "1.9"]
    assert sorted(codes, key=code_key) == ["1.9", "1.10", "1.d", "1.đ", "1.e", "I", "I.2", "I.10", "II", "IV",
                                           "V", "IX", "X"]  # fmt: skip


def test_shapes_of_a_mixed_column() -> None:
    """Letters after '2.1.a' continue it; a number after closes it; A to H then I is a list of letters."""
    got = [(s.code, s.depth, s.section) for s in shapes(["2", "2.1", "2.1.a", "b)", "3", "A", "B", "H", "I", "x-y"])]
    assert got == [("2", 0, True), ("2.1", 1, True), ("2.1.a", 2, False), ("2.1.b", 2, False), ("3", 0, False),
                   ("A", 0, False), ("B", 0, False), ("H", 0, False), ("I", 0, False), (None, 0, False)]  # fmt: skip
