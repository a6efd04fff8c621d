"""The short ranking table `collect` prints: fitted to the terminal's width, the action each
unit needs shown in full (wrapped under its row when the terminal is narrow)."""

from __future__ import annotations

import textwrap

from thidua_xlsx.core.issues import Code, Severity
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.report import FileKind, Report, Status, UnitResult
from thidua_xlsx.core.text import shown

HEADS = ("Hạng", "Mã", "Đơn vị", "Tổng điểm", "Đề nghị / ghi chú")
GAP = "  "
NAME_MIN, NAME_MAX = 16, 40  # the unit's name column: cut beyond this, the code says who it is
NOTE_MIN = 30  # a narrower note column would break every word: the note goes under the row instead


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
