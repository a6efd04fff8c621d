"""What the commands print, as lines: the short ranking table `collect` prints (fitted to the
terminal's width, the action each unit needs shown in full, wrapped under its row when the
terminal is narrow), what `check` found in a file and what `init --criteria` understood.

Formatting only: cli.py calls the library and prints these lines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from thidua_xlsx.bloc.criteria_import import CriteriaImport, NoteKind
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Code, Issue, Severity
from thidua_xlsx.core.model import Bloc, Kind
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.report import FileKind, Report, Status, UnitResult
from thidua_xlsx.core.text import shown
from thidua_xlsx.intake.returns import ReturnData

HEADS = ("Hạng", "Mã", "Đơn vị", "Tổng điểm", "Đề nghị / ghi chú")
GAP = "  "
NAME_MIN, NAME_MAX = 16, 40  # the unit's name column: cut beyond this, the code says who it is
NOTE_MIN = 30  # a narrower note column would break every word: the note goes under the row instead
NAME_LIMIT = 160  # characters of a file name or path on the terminal
ISSUES_SHOWN = 50  # problems `check` prints for one file; the ranking workbook lists them all


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _note(u: UnitResult) -> str:
    """What the bloc leader reads for a unit: its proposal and why, or what to do."""
    if u.status is Status.MISSING:
        return "chưa nộp"
    return shown(u.proposal if u.status is Status.RANKED and u.proposal else u.note)


def table(report: Report, width: int) -> list[str]:
    """The units' table in lines no longer than `width` (at least 60) characters."""
    width = max(width, 60)
    rows = []
    for u in report.units:
        rank = f"{u.rank}{'=' if u.tie else ''}" if u.status is Status.RANKED else "—"
        total = vn(u.total) if u.status is Status.RANKED else ""
        rows.append((rank, shown(u.code), shown(u.name), total, _note(u)))
    fixed = [max(len(r[i]) for r in [HEADS, *rows]) for i in (0, 1, 3)]
    name_w = min(max(len(r[2]) for r in [HEADS, *rows]), NAME_MAX)
    gaps = len(GAP) * 4
    note_w = width - (fixed[0] + fixed[1] + fixed[2] + name_w + gaps)
    if note_w < NOTE_MIN:  # shrink the names first, then give up the column: notes go under their row
        name_w = max(NAME_MIN, name_w - (NOTE_MIN - note_w))
        note_w = width - (fixed[0] + fixed[1] + fixed[2] + name_w + gaps)
    beside = note_w >= NOTE_MIN
    lines = []
    for rank, code, name, total, note in [HEADS, *rows]:
        head = f"{rank:>{fixed[0]}}{GAP}{code:<{fixed[1]}}{GAP}{cut(name, name_w):<{name_w}}{GAP}{total:>{fixed[2]}}"
        if beside:
            wrapped = textwrap.wrap(note, note_w) or [""]
            lines.append(f"{head}{GAP}{wrapped[0]}".rstrip())
            pad = " " * (len(head) + len(GAP))
            lines += [pad + more for more in wrapped[1:]]
        else:
            lines.append(head.rstrip())
            indent = " " * (fixed[0] + len(GAP))
            lines += textwrap.wrap(note, width, initial_indent=indent, subsequent_indent=indent) if note else []
    return lines


def counts(report: Report) -> list[str]:
    """Problems in the files, counted apart from the units that sent nothing."""
    missing = sum(1 for u in report.units if u.status is Status.MISSING)
    missing_issues = sum(1 for i in report.issues if i.code is Code.UNIT_MISSING)
    errors = report.count(Severity.ERROR) - missing_issues
    out = [
        f"Lỗi trong các tệp: {errors} · Cảnh báo: {report.count(Severity.WARNING)} · "
        f"Thông tin: {report.count(Severity.INFO)}."
    ]
    if missing:
        out.append(f"Còn {missing} đơn vị chưa nộp.")
    out += _documents(report)
    return out


def _documents(report: Report) -> list[str]:
    """The reports and scans sent with the returns, and who sent none."""
    docs = [f for f in report.files if f.kind is FileKind.DOCUMENT]
    out = []
    if docs:
        owners = len({f.unit for f in docs if f.unit})
        unknown = sum(1 for f in docs if not f.unit)
        line = f"Báo cáo gửi kèm: {len(docs)} tệp, của {owners} đơn vị"
        out.append(line + (f"; {unknown} tệp chưa rõ của đơn vị nào." if unknown else "."))
    without = sum(1 for u in report.units if u.status is not Status.MISSING and not u.documents)
    if without:
        out.append(f"{without} đơn vị đã nộp bảng tự chấm nhưng chưa thấy báo cáo gửi kèm.")
    return out


def run_lines(report: Report, out: Path, json_path: Path | None, dossier: Path | None, width: int) -> list[str]:
    """What `collect` prints when it is done: the bloc, the table, the counts, where the outputs are."""
    info = report.bloc.info
    kind = "KẾT QUẢ CHÍNH THỨC" if report.final else "kết quả tạm thời"
    lines = textwrap.wrap(info.name, max(width, 60))
    lines.append(f"Năm {info.year} — {kind}.")
    # Reports sent with the returns are not read, but they are not passed over either: counted below.
    passed = sum(1 for f in report.files if not f.read and f.kind is not FileKind.DOCUMENT)
    lines.append(f"Đã đọc {report.read_count} tệp" + (f", bỏ qua {passed} tệp" if passed else "") + ".")
    lines += ["", *table(report, width), "", *counts(report)]
    lines.append(f"Chi tiết ở trang '{L.R_CHECKS}' của bảng xếp hạng.")
    lines.append(f"Bảng xếp hạng: {name(out)}")
    if json_path is not None:
        lines.append(f"Báo cáo JSON: {name(json_path)}")
    if dossier is not None:
        lines.append(f"Hồ sơ gửi Hội đồng (biên bản, tờ trình, báo cáo tổng kết): {name(dossier)}")
    return lines


def name(text: object) -> str:
    """A file name or path, or a sheet name, as printed: safe and short."""
    return shown(text, NAME_LIMIT)


def issue_line(issue: Issue) -> str:
    where = "!".join(name(x) for x in (issue.sheet, issue.cell) if x)
    tag = {Severity.ERROR: "LỖI", Severity.WARNING: "CẢNH BÁO", Severity.INFO: "THÔNG TIN"}[issue.severity]
    return f"  {tag:<9} {where + '  ' if where else ''}{shown(issue.message)} [{issue.code}]"


def check_lines(bloc: Bloc, r: ReturnData) -> list[str]:
    """What `check` says of one return: its unit, its problems, its totals when it has no error."""
    unit = bloc.unit_by_code.get(r.unit or "")
    who = f"{unit.name} ({unit.code})" if unit else "không rõ đơn vị"
    head = f"{name(r.file)} — {name(who)}: "
    if not r.errors and not r.warnings:
        head += "không có lỗi."
    else:
        head += f"{r.errors} lỗi, {r.warnings} cảnh báo."
    lines = [head]
    ordered = sorted(r.issues, key=lambda i: i.severity.order)
    lines += [issue_line(issue) for issue in ordered[:ISSUES_SHOWN]]
    if len(ordered) > ISSUES_SHOWN:
        lines.append(f"  … và {len(ordered) - ISSUES_SHOWN} vấn đề khác (bảng xếp hạng của lệnh collect liệt kê đủ).")
    if not r.errors and r.unit:
        base, bonus, ded, total = bloc.totals(r.scores)
        if total is not None:
            lines.append(f"  Tổng điểm: {vn(total)} (chuẩn {vn(base)}, thưởng {vn(bonus)}, trừ {vn(ded)}).")
    return lines


_KIND_POINTS = {Kind.BASE: "điểm", Kind.BONUS: "điểm thưởng", Kind.DEDUCTION: "điểm trừ", None: "điểm (nhiều loại)"}


def import_lines(result: CriteriaImport) -> list[str]:
    """What `init --criteria` understood of the bloc's table, and what it could not place."""
    lines = [f"Bảng tiêu chí: {result.source}, {result.table}."]
    lines.append(f"Đã đọc {result.sections} mục, {result.leaves} tiêu chí chấm điểm:")
    width = max(len(p.code) for p in result.parts)
    for p in result.parts:
        lines.append(f"  {p.code:<{width}}  {cut(shown(p.text), 56):<56}  {vn(p.max)} {_KIND_POINTS[p.kind]}, "
                     f"{p.leaves} tiêu chí")  # fmt: skip
    lines.append(f"Điểm chuẩn {vn(result.base)} · điểm thưởng {vn(result.bonus)} · điểm trừ {vn(result.deduction)}.")
    line = f"Tổng điểm chuẩn: {vn(result.base)}"
    if result.table_total is not None:
        total = result.table_total
        agree = "khớp" if total == result.base else "không khớp"
        if total != result.base and result.bonus and total == result.base + result.bonus:
            agree = "gồm cả điểm thưởng"
        line += f" (dòng tổng cộng của bảng: {vn(total)} — {agree})"
    lines.append(line + ".")
    for kind, title in (
        (NoteKind.INFO, "Cách đã đọc một số dòng"),
        (NoteKind.UNPLACED, "Chưa xếp được (không ghi vào khoi.xlsx; thêm bằng tay nếu là tiêu chí)"),
        (NoteKind.PROBLEM, "Cần sửa trong trang 'Tiêu chí' của khoi.xlsx"),
    ):
        notes = result.of(kind)
        if notes:
            lines.append(f"{title} — {len(notes)} dòng:")
            lines += [f"  {note}" for note in notes]
    return lines
