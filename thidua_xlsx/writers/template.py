"""The self-scoring workbook a unit fills (PRODUCT.md §4): `thidua-xlsx templates`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import OutputError, ThiduaError
from thidua_xlsx.core.grid import a1
from thidua_xlsx.core.model import Bloc, Kind, Unit
from thidua_xlsx.core.numbers import plain, vn
from thidua_xlsx.core.text import clean, slug
from thidua_xlsx.core.version import VERSION as __version__
from thidua_xlsx.writers.atomic import atomic_path
from thidua_xlsx.writers.meta import write_meta_sheet
from thidua_xlsx.writers.pages import RowHeights
from thidua_xlsx.writers.style import (
    BOLD_TEXT,
    INPUT_FILL,
    PLAIN_TEXT,
    SECTION_FILL,
    SIGN_HINT,
    Styles,
    admin_header,
    date_line,
    fit_height,
    new_workbook,
    portrait_a4,
    protect,
    signature,
)
from thidua_xlsx.writers.template_sheets import DATA_VALUE_COL, data_rows, write_data_sheet, write_guide_sheet

HEAD = 8  # 0-based row of the score table's header
STATUS_ROW = HEAD - 1  # the live status line, right above the table
COLS = (9, 52, 10, 11, 30)  # widths of Mã | Nội dung | Điểm tối đa | Điểm tự chấm | Giải trình
MAX_FORMULA = 7000  # stay well inside Excel's 8,192-character formula limit


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each criterion and total sits on 'Tự chấm điểm' (0-based rows)."""

    rows: dict[str, int]
    totals: dict[str, int]
    last: int


def layout(bloc: Bloc) -> Layout:
    rows = {c.code: HEAD + 1 + i for i, c in enumerate(bloc.criteria)}
    first_total = HEAD + 1 + len(bloc.criteria) + 1
    totals = {label: first_total + i for i, label in enumerate(L.TOTAL_LABELS)}
    return Layout(rows=rows, totals=totals, last=first_total + len(L.TOTAL_LABELS))


def template_name(unit: Unit) -> str:
    """'VHTT_phong-van-hoa-va-thong-tin.xlsx': the unit code and an unaccented slug."""
    return f"{unit.code}_{slug(unit.name) or 'don-vi'}.xlsx"


def _ranges(rows: Sequence[int], col: int = 3) -> list[str]:
    """Cells of `rows` in column `col`, consecutive rows merged: ['D9:D11', 'D13']."""
    out: list[str] = []
    rows = sorted(rows)
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        out.append(a1(rows[i], col) if i == j else f"{a1(rows[i], col)}:{a1(rows[j], col)}")
        i = j + 1
    return out


def _sum(refs: list[str], fn: str = "SUM") -> str:
    """fn over many references, nested so no call passes Excel's 255 arguments."""
    if not refs:
        return "0"
    chunks = [refs[i : i + 250] for i in range(0, len(refs), 250)]
    parts = [f"{fn}({','.join(chunk)})" for chunk in chunks]
    return parts[0] if len(parts) == 1 else "+".join(parts)


def _counts(bloc: Bloc, lay: Layout) -> tuple[int, str, str, str]:
    """(leaves, leaves scored, score cells out of range or text, data values still empty) as formulas."""
    leaf_rows = [lay.rows[c.code] for c in bloc.leaves]
    counted = _sum(_ranges(leaf_rows), "COUNT")
    bad = "+".join(
        f"SUMPRODUCT(ISTEXT({d})+ISNUMBER({d})*(({d}>{c})+({d}<0)))"
        for d, c in zip(_ranges(leaf_rows, 3), _ranges(leaf_rows, 2), strict=True)
    )
    if len(bad) > MAX_FORMULA // 3:
        bad = "0"
    rows = data_rows()
    first, last = min(rows.values()), max(rows.values())
    empty = f"COUNTBLANK('{L.SHEET_DATA}'!{a1(first, DATA_VALUE_COL)}:{a1(last, DATA_VALUE_COL)})"
    return len(leaf_rows), counted, bad, empty


def status_formula(bloc: Bloc, lay: Layout) -> str:
    """'Tình trạng: còn 3/23 tiêu chí chưa chấm điểm; còn 2/7 số liệu …' in words, live.

    It says the form is complete only when collect would find nothing missing: every leaf
    scored and every value of 'Số liệu' filled. Bad inputs (text, or a number outside 0..max)
    are counted per run of consecutive leaves with SUMPRODUCT, so the formula grows with the
    number of sections, not of criteria (Excel stops at 8,192 characters); past MAX_FORMULA
    the conditional format alone shows them.
    """
    n, counted, bad, empty = _counts(bloc, lay)
    k = len(L.DATA_ROWS)
    scores = f'IF({counted}<{n},"còn "&({n}-{counted})&"/{n} tiêu chí chưa chấm điểm (ô tô vàng)","")'
    data = f'IF({empty}>0,"còn "&{empty}&"/{k} số liệu ở trang \'{L.SHEET_DATA}\' chưa nhập","")'
    both = f'IF(AND({counted}<{n},{empty}>0),"; ","")'
    return (
        f'="Tình trạng: "&IF(AND({counted}={n},{empty}=0),"đã chấm đủ {n}/{n} tiêu chí và nhập đủ {k}/{k} số liệu",'
        f"{scores}&{both}&{data})"
        f'&IF(({bad})>0,"; có "&({bad})&" ô điểm không hợp lệ (tô đỏ): sửa lại","")&"."'
    )


def incomplete_formula(bloc: Bloc, lay: Layout) -> str:
    """True while a score or a data value is missing, or a score is not valid."""
    n, counted, bad, empty = _counts(bloc, lay)
    return f"OR({counted}<{n},{empty}>0,({bad})>0)"


def write_scores_sheet(book: xlsxwriter.Workbook, st: Styles, bloc: Bloc, unit: Unit) -> None:
    ws = book.add_worksheet(L.SHEET_SCORES)
    ws.hide_gridlines(2)
    for c, width in enumerate(COLS):
        ws.set_column(c, c, width)
    info = bloc.info
    lay = layout(bloc)
    # The unit issues the form (it signs it): its governing body above its name, left; the bloc
    # and the year are in the title (Nghị định 30/2020/NĐ-CP).
    admin_header(ws, st, heights=RowHeights(ws), row=0, governing=info.governing_body, body=unit.name,
                 left=(0, 1), right=(2, 4), left_width=COLS[0] + COLS[1])  # fmt: skip
    ws.merge_range(
        3, 0, 3, 4, f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {info.year}", st(bold=True, font_size=14, align="center")
    )
    bloc_line = clean(info.name)
    ws.merge_range(4, 0, 4, 4, bloc_line, st(bold=True, align="center", text_wrap=True))
    ws.set_row(4, fit_height((bloc_line, sum(COLS)), chars_per_unit=BOLD_TEXT))
    who = L.UNIT_LINE.format(name=unit.name)
    ws.merge_range(5, 0, 5, 4, who, st(align="center", text_wrap=True))
    ws.set_row(5, fit_height((who, sum(COLS)), chars_per_unit=PLAIN_TEXT))
    due = f"; gửi khối trưởng trước ngày {info.deadline:%d/%m/%Y}" if info.deadline else ""
    note = f"(Kèm theo báo cáo tổng kết công tác thi đua, khen thưởng năm {info.year}{due})"
    ws.merge_range(6, 0, 6, 4, note, st(italic=True, align="center", text_wrap=True))
    ws.set_row(6, fit_height((note, sum(COLS)), chars_per_unit=PLAIN_TEXT))

    # Green once nothing is missing or wrong; red and bold while something is (a conditional format).
    done_fmt = st(font_color="#006100", align="left", text_wrap=True)
    ws.merge_range(STATUS_ROW, 0, STATUS_ROW, 4, "", done_fmt)
    ws.write_formula(STATUS_ROW, 0, status_formula(bloc, lay), done_fmt, "")
    ws.set_row(STATUS_ROW, 32)  # room for both halves of the status on two lines
    ws.conditional_format(STATUS_ROW, 0, STATUS_ROW, 0, {
        "type": "formula", "criteria": "=" + incomplete_formula(bloc, lay),
        "format": st.dxf(font_color="#C00000", bold=True),
    })  # fmt: skip

    for c, label in enumerate(L.SCORE_HEADERS):
        ws.write_string(HEAD, c, label, st.head())
    ws.set_row(HEAD, 33)

    # Scores in the General format: 15 and 9,5 show as typed (Excel shows 15 as "15." under "0.##").
    unlocked_score = st.cell(locked=False, bg_color=INPUT_FILL, align="center")
    unlocked_note = st.cell(locked=False, bg_color=INPUT_FILL, valign="top")
    for crit in bloc.criteria:
        row = lay.rows[crit.code]
        extra = {"bold": True, "bg_color": SECTION_FILL} if not crit.is_leaf else {}
        ws.write_string(row, 0, crit.code, st.cell(align="center", num_format="@", **extra))
        ws.write_string(row, 1, crit.text, st.cell(indent=min(crit.depth, 3), **extra))
        ws.write_number(row, 2, float(crit.max), st.cell(align="center", **extra))
        if crit.is_leaf:
            ws.write_blank(row, 3, None, unlocked_score)
        else:
            kids = [lay.rows[k.code] for k in bloc.children(crit.code)]
            ws.write_formula(row, 3, "=" + _sum(_ranges(kids)),
                             st.cell(align="center", **extra), "")  # fmt: skip
        ws.write_blank(row, 4, None, unlocked_note)
        density = PLAIN_TEXT if crit.is_leaf else BOLD_TEXT
        ws.set_row(row, fit_height((crit.text, COLS[1] - 2 * min(crit.depth, 3)), chars_per_unit=density))

    _validations(ws, st, bloc, lay)
    _totals(ws, st, bloc, lay)
    end = signature(
        ws, st, lay.last + 1, left=(0, 1), right=(2, 4), date=date_line(info.place, info.year),
        left_lines=["NGƯỜI LẬP BIỂU", SIGN_HINT], right_lines=["THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)"],
    )  # fmt: skip

    ws.freeze_panes(HEAD + 1, 0)
    portrait_a4(ws, repeat=(HEAD, HEAD))
    ws.print_area(0, 0, end - 1, 4)
    ws.activate()
    protect(ws, bloc.info.template_password)


def _validations(ws, st: Styles, bloc: Bloc, lay: Layout) -> None:
    """0..max per leaf (grouped by max and kind), and marks for empty and out-of-range cells."""
    groups: dict[tuple[Decimal, Kind], list[int]] = {}
    for crit in bloc.leaves:
        groups.setdefault((crit.max, crit.kind), []).append(lay.rows[crit.code])
    for (maximum, kind), rows in groups.items():
        refs = _ranges(rows)
        what = "số điểm bị trừ (số dương)" if kind is Kind.DEDUCTION else "điểm tự chấm"
        ws.data_validation(refs[0].split(":")[0] + ":" + refs[0].split(":")[-1], {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(maximum),
            "ignore_blank": True, "multi_range": " ".join(refs),
            "input_title": "Điểm tự chấm",
            "input_message": f"Nhập {what} từ 0 đến {vn(maximum)}.",
            "error_title": "Điểm không hợp lệ",
            "error_message": f"Điểm phải là số từ 0 đến {vn(maximum)} (điểm tối đa của tiêu chí).",
        })  # fmt: skip
    refs = _ranges([lay.rows[c.code] for c in bloc.leaves])
    first = refs[0].split(":")[0]
    bad = f"=OR(ISTEXT({first}),AND(ISNUMBER({first}),OR({first}<0,{first}>$C{first[1:]})))"
    span = refs[0]
    ws.conditional_format(span, {
        "type": "formula", "criteria": bad, "multi_range": " ".join(refs),
        "format": st.dxf(bg_color="#F4B084", font_color="#9C0006", bold=True),
    })  # fmt: skip
    ws.conditional_format(span, {
        "type": "blanks", "multi_range": " ".join(refs),
        "format": st.dxf(bg_color="#FFE699"),
    })  # fmt: skip


def _totals(ws, st: Styles, bloc: Bloc, lay: Layout) -> None:
    label_fmt = st.cell(bold=True, align="right")
    value_fmt = st.cell(bold=True, align="center", bg_color="#E2EFDA")
    max_fmt = st.cell(align="center")
    by_kind = {
        L.TOTAL_BASE: Kind.BASE,
        L.TOTAL_BONUS: Kind.BONUS,
        L.TOTAL_DEDUCTION: Kind.DEDUCTION,
    }
    for label, kind in by_kind.items():
        row = lay.totals[label]
        rows = [lay.rows[c.code] for c in bloc.leaves if c.kind is kind]
        ws.write_blank(row, 0, None, st.cell())
        ws.write_string(row, 1, label, label_fmt)
        ws.write_number(row, 2, float(bloc.kind_max(kind)), max_fmt)
        ws.write_formula(row, 3, "=" + _sum(_ranges(rows)), value_fmt, "")
        ws.write_blank(row, 4, None, st.cell())
    row = lay.totals[L.TOTAL]
    base, bonus, ded = (a1(lay.totals[x], 3) for x in (L.TOTAL_BASE, L.TOTAL_BONUS, L.TOTAL_DEDUCTION))
    ws.write_blank(row, 0, None, st.cell())
    ws.write_string(row, 1, L.TOTAL, st.cell(bold=True, align="right", font_size=13))
    ws.write_blank(row, 2, None, st.cell())
    ws.write_formula(row, 3, f"={base}+{bonus}-{ded}",
                     st.cell(bold=True, align="center", bg_color="#C6E0B4", font_size=13), "")  # fmt: skip
    ws.write_string(row, 4, f"Điểm chuẩn tối đa {plain(bloc.info.base_total)}",
                    st.cell(italic=True, font_size=10))  # fmt: skip


def write_template(bloc: Bloc, unit: Unit, path: Path, *, generated_at: str | None = None) -> Path:
    """One unit's self-scoring workbook, written atomically."""
    with atomic_path(path) as tmp:
        book = new_workbook(tmp)
        st = Styles(book, size=12)
        write_scores_sheet(book, st, bloc, unit)
        write_data_sheet(book, st, bloc, unit)
        write_guide_sheet(book, st, bloc, unit)
        meta: dict[str, str | int] = {
            "form": L.FORM_ID, "format_version": L.FORMAT_VERSION, "bloc": bloc.info.name, "year": bloc.info.year,
            "unit_code": unit.code, "unit_name": unit.name, "fingerprint": bloc.fingerprint,
            "generated_at": generated_at or _now(), "tool_version": __version__,
        }  # fmt: skip
        write_meta_sheet(book, meta, L.META_KEYS, password=bloc.info.template_password)
        book.set_properties({"title": f"Bảng tự chấm điểm thi đua năm {bloc.info.year} - {unit.name}",
                             "subject": bloc.info.name, "comments": L.FORM_ID})  # fmt: skip
        book.close()
    return path


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _one(args: tuple[Bloc, Unit, Path, str]) -> Path:
    bloc, unit, path, stamp = args
    return write_template(bloc, unit, path, generated_at=stamp)


def write_templates(
    bloc: Bloc,
    out_dir: Path | str,
    *,
    units: Sequence[str] | None = None,
    force: bool = False,
    workers: int | None = None,
) -> list[Path]:
    """One template per unit (or per code in `units`) in `out_dir`; refuse to overwrite."""
    out_dir = Path(out_dir)
    chosen = list(bloc.units)
    if units:
        by_code = {u.code.upper(): u for u in bloc.units}
        unknown = [c for c in units if c.upper() not in by_code]
        if unknown:
            known = ", ".join(u.code for u in bloc.units)
            raise ThiduaError(f"Không có đơn vị mã {', '.join(unknown)} trong khối. Các mã có: {known}.")
        chosen = list(dict.fromkeys(by_code[c.upper()] for c in units))
    targets = [(u, out_dir / template_name(u)) for u in chosen]
    existing = [p for _, p in targets if p.exists()]
    if existing and not force:
        names = ", ".join(p.name for p in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise OutputError(f"Đã có {len(existing)} tệp mẫu trong {out_dir} ({names}). Dùng --force để ghi đè.")
    stamp = _now()
    jobs = [(bloc, u, p, stamp) for u, p in targets]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers > 1 and len(jobs) >= 40:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_one, jobs, chunksize=16))
    return [_one(job) for job in jobs]
