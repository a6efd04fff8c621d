"""Sheets of the ranking workbook after 'Xếp hạng': detail, targets, titles, checks, submissions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.ratings import Rating
from thidua_xlsx.core.report import Report, Status, UnitResult
from thidua_xlsx.writers.style import PLAIN_TEXT, SECTION_FILL, Styles, fit_height, num, portrait_a4, put

PASS, FAIL, UNKNOWN = "Đạt", "Không đạt", "Thiếu số liệu"
FIT_WIDE = 24  # beyond this many unit columns, pages would be unreadable at one page wide


def _title(ws: Worksheet, st: Styles, report: Report, text: str, last: int, *, row: int = 0) -> int:
    ws.merge_range(row, 0, row, last, text, st(bold=True, font_size=13, align="center"))
    ws.merge_range(
        row + 1, 0, row + 1, last, f"{report.bloc.info.name} - năm {report.bloc.info.year}",
        st(italic=True, align="center"),
    )  # fmt: skip
    return row + 3


def _verdict(st: Styles, ok: bool | None) -> tuple[str, Any]:
    if ok is True:
        return PASS, st.cell(align="center", bg_color="#C6EFCE", font_color="#006100", bold=True)
    if ok is False:
        return FAIL, st.cell(align="center", bg_color="#FFC7CE", font_color="#9C0006", bold=True)
    return UNKNOWN, st.cell(align="center", bg_color="#EDEDED", font_color="#595959")


def _subtotals(report: Report, scores: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
    """Score of every criterion: leaves as read, sections summed exactly when all known."""
    out: dict[str, Decimal | None] = dict(scores)
    for crit in reversed(report.bloc.criteria):
        if crit.is_leaf:
            continue
        kids = [out.get(k.code) for k in report.bloc.children(crit.code)]
        known = [k for k in kids if k is not None]
        out[crit.code] = sum(known, Decimal(0)) if len(known) == len(kids) else None
    return out


def _difference(agreed: Decimal | None, own: Decimal | None) -> Decimal | None:
    """Agreed − self where both are known and differ; else nothing to show."""
    if agreed is None or own is None or agreed == own:
        return None
    return agreed - own


DETAIL_CODES_ROW = 3  # 0-based row of 'Chi tiết điểm' holding the units' codes (looked up by 'Điều chỉnh điểm')
MAX_UNIT_COLUMNS = 16_000  # a sheet has 16,384 columns; a larger bloc continues on further sheets


def detail_chunks(report: Report) -> list[list[UnitResult]]:
    """Units of 'Chi tiết điểm', in ranking order, split to fit a sheet's columns."""
    units = [u for u in report.units if u.status is not Status.MISSING]
    return [units[i : i + MAX_UNIT_COLUMNS] for i in range(0, len(units), MAX_UNIT_COLUMNS)] or [[]]


def write_detail(book: xlsxwriter.Workbook, st: Styles, report: Report, units: list[UnitResult], part: int = 1) -> None:
    """Criteria down, units across (in ranking order), maxima beside, section subtotals.

    In the final ranking each unit has three columns: its self score, the score the meeting
    agreed ("khối chấm"), and the difference where they differ.
    """
    ws = book.add_worksheet(L.R_DETAIL if part == 1 else f"{L.R_DETAIL} ({part})")
    ws.hide_gridlines(2)
    per = 3 if report.final else 1  # columns per unit
    last = 2 + max(len(units) * per, 1)
    what = "ĐIỂM TỰ CHẤM VÀ ĐIỂM KHỐI CHẤM" if report.final else "ĐIỂM TỰ CHẤM"
    r = _title(ws, st, report, f"CHI TIẾT {what} CỦA CÁC ĐƠN VỊ NĂM {report.bloc.info.year}", min(last, 12))
    ws.set_column(0, 0, 7)
    ws.set_column(1, 1, 46)
    ws.set_column(2, 2, 8)
    ws.set_column(3, last, 12 if per == 1 else 9)
    head = r
    assert head == DETAIL_CODES_ROW  # the review's lookups read the codes there
    starts = [3 + i * per for i in range(len(units))]
    header_rows: list[tuple[str, list[str], Any, float | None]] = [
        ("Mã đơn vị", [u.code for u in units], st.head(), None),
        ("Tên đơn vị", [u.name for u in units], st.cell(bold=True, align="center", font_size=9), 9),
        ("Tệp nguồn", [u.file or "" for u in units], st.cell(font_size=8, font_color="#595959", align="center"), 8),
        (
            "Trạng thái",
            [u.status.label if u.status is not Status.RANKED else f"Hạng {u.rank}" for u in units],
            st.cell(align="center", font_size=9),
            None,
        ),
    ]
    for i, (label, texts, fmt, size) in enumerate(header_rows):
        ws.merge_range(head + i, 0, head + i, 2, label, st.head(align="right"))
        for c, text in zip(starts, texts, strict=True):
            if per > 1:
                ws.merge_range(head + i, c, head + i, c + per - 1, "", fmt)
            put(ws, head + i, c, text, fmt)
        if size is not None:
            ws.set_row(
                head + i,
                max((fit_height((t, 12 * per), size=size, chars_per_unit=PLAIN_TEXT) for t in texts), default=15),
            )
    r = head + len(header_rows)
    for c, label in enumerate(["Mã", "Nội dung tiêu chí", "Tối đa"]):
        ws.write_string(r, c, label, st.head())
    for c in range(3, last + 1):
        sub = ("Tự chấm", "Khối chấm", "Chênh lệch")[(c - 3) % per] if per > 1 else None
        put(ws, r, c, sub, st.head(font_size=9))
    first_row = r
    r += 1
    own = [_subtotals(report, u.self_scores if report.final else u.scores) for u in units]
    agreed = [_subtotals(report, u.scores) for u in units] if report.final else own
    bad_cells = {(i.unit, i.cell) for i in report.issues if i.severity is Severity.ERROR and i.sheet}
    bad = {  # criteria whose score cell carries an error, per unit column
        c: {code for code, cell in u.score_cells.items() if (u.code, cell) in bad_cells}
        for c, u in zip(starts, units, strict=True)
        if u.errors
    }
    write_number, write_blank = ws.write_number, ws.write_blank
    for crit in report.bloc.criteria:
        section = {"bold": True, "bg_color": SECTION_FILL} if not crit.is_leaf else {}
        ws.write_string(r, 0, crit.code, st.cell(align="center", **section))
        ws.write_string(r, 1, crit.text, st.cell(font_size=10, indent=min(crit.depth, 2), **section))
        ws.write_number(r, 2, float(crit.max), st.cell(align="center", **section))
        plain = st.cell(align="center", **section)  # formats looked up once per row, not per cell
        flag = st.cell(align="center", bg_color="#FFC7CE", **{k: v for k, v in section.items() if k != "bg_color"})
        changed = st.cell(align="center", bold=True, bg_color="#FFF2CC")
        code = crit.code
        for i, c in enumerate(starts):  # the hot loop of a large bloc: plain calls, no lookups per cell
            value = own[i].get(code)
            fmt = flag if c in bad and code in bad[c] else plain
            if value is None:
                write_blank(r, c, None, fmt)
            else:
                write_number(r, c, float(value), fmt)
            if per > 1:
                final, diff = agreed[i].get(code), _difference(agreed[i].get(code), value)
                put(ws, r, c + 1, num(final), changed if diff is not None else plain)
                put(ws, r, c + 2, num(diff), changed if diff is not None else plain)
        ws.set_row(r, fit_height((crit.text, 44), size=10, chars_per_unit=PLAIN_TEXT))
        r += 1
    bold = st.cell(align="center", bold=True)
    sums = [(L.TOTAL_BASE, Kind.BASE, 0), (L.TOTAL_BONUS, Kind.BONUS, 1), (L.TOTAL_DEDUCTION, Kind.DEDUCTION, 2)]
    self_totals = [report.bloc.totals(u.self_scores if report.final else u.scores) for u in units]
    final_totals = [(u.base, u.bonus, u.deduction, u.total) for u in units]
    total_fmt = st.cell(align="center", bold=True, bg_color="#E2EFDA")
    for label, kind, k in [*sums, (L.TOTAL, None, 3)]:
        fmt = total_fmt if kind is None else bold
        ws.merge_range(r, 0, r, 1 if kind else 2, label, st.cell(bold=True, align="right",
                       **({"bg_color": "#E2EFDA"} if kind is None else {})))  # fmt: skip
        if kind is not None:
            ws.write_number(r, 2, float(report.bloc.kind_max(kind)), bold)
        for i, c in enumerate(starts):
            if per == 1:
                put(ws, r, c, num(final_totals[i][k]), fmt)
                continue
            put(ws, r, c, num(self_totals[i][k]), fmt)
            put(ws, r, c + 1, num(final_totals[i][k]), fmt)
            put(ws, r, c + 2, num(_difference(final_totals[i][k], self_totals[i][k])), fmt)
        r += 1
    note = (
        "Ô tô đỏ: điểm có lỗi (xem trang 'Kiểm tra'); ô trống: chưa có điểm hợp lệ. Điểm mục là tổng các tiêu chí "
        "con, tính lại từ các ô điểm (không dùng số tổng lưu trong tệp)."
    )
    if report.final:
        note += " Ô tô vàng: tiêu chí khối chấm lại tại cuộc họp bình xét; chênh lệch = khối chấm − tự chấm."
    ws.merge_range(r + 1, 0, r + 1, min(last, 12), note, st(italic=True, font_size=10, text_wrap=True))
    ws.set_row(r + 1, 30)
    ws.freeze_panes(first_row + 1, 3)
    portrait_a4(ws, repeat=(head, first_row), landscape=True)
    ws.repeat_columns(0, 2)
    if len(units) * per > FIT_WIDE:
        ws.fit_to_pages(0, 0)
        ws.set_print_scale(80)


def write_targets(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Section-4 targets of the launch document, per unit and for the bloc."""
    ws = book.add_worksheet(L.R_TARGETS)
    ws.hide_gridlines(2)
    info = report.bloc.info
    cols = [
        ("Mã đơn vị", 10), ("Tên đơn vị", 34), ("Tổng số người (TS)", 10), ("Số LĐTT", 9),
        ("Tỷ lệ LĐTT (%)", 10), (f"LĐTT ≥ {vn(info.ldtt_min)} %" if info.ldtt_min is not None else "LĐTT", 12),
        ("Số CSTĐ", 9), ("CSTĐ / LĐTT (%)", 10),
        (f"CSTĐ ≥ {vn(info.cstd_target)} % LĐTT" if info.cstd_target is not None else "CSTĐ", 13),
        ("Xếp loại đơn vị", 22), ("Đơn vị HTTNV trở lên", 12), ("Xếp loại tổ chức đảng", 22),
        ("Tổ chức đảng HTTNV trở lên", 13),
    ]  # fmt: skip
    last = len(cols) - 1
    r = _title(ws, st, report, "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA", last)
    for c, (label, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(r, c, label, st.head(font_size=10))
    ws.set_row(r, 45)
    head = r
    r += 1
    units = [u for u in report.units if u.status is not Status.MISSING]
    centre, left, plain = st.cell(align="center"), st.cell(align="left"), st.cell()
    verdicts = {ok: _verdict(st, ok) for ok in (True, False, None)}
    for u in units:
        d = u.data
        ratings = [x.label if isinstance(x, Rating) else "" for x in (u.rating, u.party_rating)]
        values: list[Any] = [
            u.code, u.name, d.get("TS"), d.get("LDTT"), num(u.ldtt_share), None, d.get("CSTD"), num(u.cstd_share),
            None, ratings[0], None, ratings[1],
        ]  # fmt: skip
        for c, value in enumerate(values):
            if c in (5, 8, 10):
                continue  # verdicts, below
            put(ws, r, c, value, left if c == 1 else plain if c in (9, 11) else centre)
        for c, key in ((5, "ldtt"), (8, "cstd"), (10, "unit_rating"), (12, "party_rating")):
            text, fmt = verdicts[u.targets_met.get(key)]
            ws.write_string(r, c, text, fmt)
        ws.set_row(r, fit_height((u.name, 34), (ratings[0], 22), (ratings[1], 22), size=11, chars_per_unit=PLAIN_TEXT))
        r += 1
    # The bloc as a whole
    sums = {k: sum((u.data.get(k) or Decimal(0) for u in units), Decimal(0)) for k in ("TS", "LDTT", "CSTD")}
    bold = st.cell(bold=True, align="center", bg_color="#E2EFDA")
    ws.merge_range(r, 0, r, 1, "TOÀN KHỐI", st.cell(bold=True, bg_color="#E2EFDA"))
    put(ws, r, 2, sums["TS"], bold)
    put(ws, r, 3, sums["LDTT"], bold)
    put(ws, r, 4, num((sums["LDTT"] * 100 / sums["TS"]).quantize(Decimal("0.01"))) if sums["TS"] else None, bold)
    put(ws, r, 6, sums["CSTD"], bold)
    cstd = (sums["CSTD"] * 100 / sums["LDTT"]).quantize(Decimal("0.01")) if sums["LDTT"] else None
    put(ws, r, 7, num(cstd), bold)
    for c, key in ((5, "ldtt"), (8, "cstd"), (10, "unit_rating"), (12, "party_rating")):
        met = sum(1 for u in units if u.targets_met.get(key) is True)
        put(ws, r, c, f"{met}/{len(units)} đơn vị đạt", bold)
    for c in (9, 11):
        ws.write_blank(r, c, None, bold)
    ws.set_row(r, 30)
    r += 2
    notes = [
        "Chỉ tiêu theo mục 4 văn bản phát động: tỷ lệ cá nhân đạt 'Lao động tiên tiến' (LĐTT) của mỗi đơn vị; "
        "tỷ lệ 'Chiến sĩ thi đua' (CSTĐ) trên số LĐTT; đơn vị và tổ chức đảng hoàn thành tốt nhiệm vụ trở lên.",
        "Tỷ lệ tính chính xác từ số liệu ở trang 'Số liệu' của từng đơn vị; 'Thiếu số liệu': đơn vị chưa nhập đủ. "
        "Dòng toàn khối tính trên các đơn vị đã nộp (đơn vị chưa nộp không có số liệu).",
    ]
    for text in notes:
        ws.merge_range(r, 0, r, last, text, st(italic=True, font_size=10, text_wrap=True))
        ws.set_row(r, 28)
        r += 1
    ws.freeze_panes(head + 1, 2)
    ws.autofilter(head, 0, head + len(units), last)
    portrait_a4(ws, repeat=(head, head), landscape=True)


def write_titles(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Title eligibility per unit, with the failing condition in words."""
    ws = book.add_worksheet(L.R_TITLES)
    ws.hide_gridlines(2)
    titles = report.bloc.titles
    last = 2 + 2 * len(titles)
    r = _title(ws, st, report, "ĐIỀU KIỆN DANH HIỆU THI ĐUA TẬP THỂ", max(last, 4))
    span = 10 + 32 + 20 + 57 * max(len(titles), 1)  # the widths of the columns set below
    for t in titles:
        text = f"{t.name}: {t.basis}" if t.basis else t.name
        if t.requires:
            text += f" Phải đạt cả danh hiệu {t.requires}."
        ws.merge_range(r, 0, r, max(last, 4), text, st(font_size=10, text_wrap=True, italic=True))
        ws.set_row(r, max(30, fit_height((text, span), size=10, chars_per_unit=PLAIN_TEXT)))
        r += 1
    r += 1
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 32)
    ws.set_column(2, 2, 20)
    head = r
    for c, label in enumerate(["Mã đơn vị", "Tên đơn vị", "Xếp loại đơn vị"]):
        ws.merge_range(head, c, head + 1, c, label, st.head())
    for i, t in enumerate(titles):
        c = 3 + 2 * i
        ws.set_column(c, c, 13)
        ws.set_column(c + 1, c + 1, 44)
        ws.merge_range(head, c, head, c + 1, t.name, st.head())
        ws.write_string(head + 1, c, "Kết quả", st.head())
        ws.write_string(head + 1, c + 1, "Điều kiện chưa đạt", st.head())
    r = head + 2
    centre, plain, small = st.cell(align="center"), st.cell(), st.cell(font_size=10)
    words = {PASS: "Đủ điều kiện", FAIL: "Chưa đủ"}
    verdicts = {ok: (words.get(w, w), fmt) for ok in (True, False, None) for w, fmt in [_verdict(st, ok)]}
    for u in report.units:
        if u.status is Status.MISSING:
            continue
        rating = u.rating.label if isinstance(u.rating, Rating) else ""
        put(ws, r, 0, u.code, centre)
        put(ws, r, 1, u.name, plain)
        put(ws, r, 2, rating, plain)
        texts = [(u.name, 32), (rating, 20)]
        for i, t in enumerate(titles):
            word, fmt = verdicts[u.eligible.get(t.name)]
            ws.write_string(r, 3 + 2 * i, word, fmt)
            notes = "; ".join(u.eligibility_notes.get(t.name, []))
            put(ws, r, 4 + 2 * i, notes, small)
            texts.append((notes, 44))
        ws.set_row(r, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT))
        r += 1
    ws.freeze_panes(head + 2, 2)
    portrait_a4(ws, repeat=(head, head + 1), landscape=True)


def write_checks(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Every issue, filterable: severity, code, unit, file, sheet, cell, message."""
    ws = book.add_worksheet(L.R_CHECKS)
    cols = [("Mức độ", 10), ("Mã lỗi", 20), ("Đơn vị", 10), ("Tệp", 36), ("Trang tính", 14), ("Ô", 6),
            ("Nội dung", 80)]  # fmt: skip
    last = len(cols) - 1
    r = _title(ws, st, report, "KẾT QUẢ KIỂM TRA CÁC TỆP TỰ CHẤM ĐIỂM", last)
    head = r
    for c, (label, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(head, c, label, st.head())
    order = sorted(report.issues, key=lambda i: (i.severity.order, i.unit or "~", i.file or "", i.cell or ""))
    colours = {Severity.ERROR: "#9C0006", Severity.WARNING: "#9C5700", Severity.INFO: "#1F4E79"}
    r += 1
    for issue in order:
        values = [issue.severity.label, issue.code, issue.unit, issue.file, issue.sheet, issue.cell, issue.message]
        for c, value in enumerate(values):
            fmt = (
                st.cell(font_size=10, font_color=colours[issue.severity], bold=True)
                if c == 0
                else st.cell(font_size=10)
            )
            put(ws, r, c, value, fmt)
        ws.set_row(r, fit_height((issue.message, 80), (issue.file or "", 36), size=10, chars_per_unit=PLAIN_TEXT))
        r += 1
    if not order:
        ws.merge_range(r, 0, r, last, "Không có lỗi hay cảnh báo nào.", st.cell(italic=True))
    ws.autofilter(head, 0, max(head + len(order), head + 1), last)
    ws.freeze_panes(head + 1, 0)
    portrait_a4(ws, repeat=(head, head), landscape=True)


def write_submissions(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Each unit: submitted or not, file used, files not used, file time, status, documents sent
    with it; then every other file."""
    ws = book.add_worksheet(L.R_SUBMISSIONS)
    cols = [("STT", 5), ("Mã đơn vị", 10), ("Tên đơn vị", 32), ("Đã nộp", 8), ("Tệp được dùng", 36),
            ("Thời gian tệp", 15), ("Tệp không dùng", 30), ("Trạng thái", 20), ("Số lỗi", 7),
            ("Số cảnh báo", 9), ("Báo cáo gửi kèm", 30)]  # fmt: skip
    last = len(cols) - 1
    r = _title(ws, st, report, "TÌNH HÌNH NỘP BẢNG TỰ CHẤM ĐIỂM", last)
    deadline = report.bloc.info.deadline
    if deadline:
        ws.merge_range(r - 1, 0, r - 1, last, f"Hạn nộp: {deadline:%d/%m/%Y}", st(italic=True, align="center"))
    head = r
    ws.set_row(head, fit_height(*cols, size=11))  # 'Số cảnh báo' wraps
    for c, (label, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(head, c, label, st.head())
    times = {f.path: f.time_text for f in report.files}
    r += 1
    order = {x.code: k for k, x in enumerate(report.bloc.units)}  # bloc order (a list.index here was quadratic)
    status_formats = {
        Status.RANKED: st.cell(font_color="#006100"),
        Status.ERROR: st.cell(font_color="#9C0006", bold=True),
        Status.MISSING: st.cell(font_color="#9C0006", bold=True, bg_color="#FCE4D6"),
    }
    centre, left = st.cell(align="center"), st.cell(align="left")
    formats = [centre, left, left, centre, left, left, left, None, centre, centre, left]  # [7]: by status
    for i, u in enumerate(sorted(report.units, key=lambda u: order[u.code]), 1):
        submitted = u.status is not Status.MISSING
        unused = "\n".join(u.unused)
        documents = "\n".join(u.documents) or ("Chưa thấy" if submitted else "")
        values: list[Any] = [
            i, u.code, u.name, "Có" if submitted else "Chưa", u.file or "", times.get(u.file or "", ""),
            unused, u.status.label, u.errors, u.warnings, documents,
        ]  # fmt: skip
        formats[7] = status_formats[u.status]
        for c, value in enumerate(values):
            put(ws, r, c, value, formats[c])
        texts = ((u.name, 32), (u.file or "", 36), (unused, 30), (documents, 30))
        ws.set_row(r, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT))
        r += 1
    r += 1
    # Files the units table already shows (each unit's file used) are not repeated here.
    others = [f for f in report.files if not f.used]
    title = f"CÁC TỆP KHÁC TRONG THƯ MỤC ({len(others)} tệp không dùng cho đơn vị nào hoặc bị bỏ qua)"
    ws.merge_range(r, 0, r, last, title if others else "Không có tệp nào khác trong thư mục.", st(bold=True))
    r += 1
    # Columns of the units table above, reused without merged cells (thousands of rows); a header
    # only over rows.
    labels = ["STT", "Đơn vị", "Tệp", "Được dùng", "Ghi chú", "Thời gian tệp"]
    if others:
        ws.set_row(r, fit_height(*((label, cols[c][1]) for c, label in enumerate(labels)), size=11))  # 'Được dùng'
        for c, label in enumerate(labels):
            ws.write_string(r, c, label, st.head())
        r += 1
    centre, small = st.cell(align="center"), st.cell(font_size=10)
    for i, f in enumerate(others, 1):
        ws.write_number(r, 0, i, centre)
        put(ws, r, 1, f.unit or "", centre)
        ws.write_string(r, 2, f.path, small)
        ws.write_string(r, 3, "Có" if f.used else "Không", centre)
        put(ws, r, 4, f.reason or "", small)
        put(ws, r, 5, f.time_text, centre)
        ws.set_row(r, fit_height((f.path, 32), (f.reason or "", 36), size=10, chars_per_unit=PLAIN_TEXT))
        r += 1
    ws.freeze_panes(head + 1, 0)
    portrait_a4(ws, repeat=(head, head), landscape=True)
