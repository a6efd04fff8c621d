"""Báo cáo tổng kết: a draft of the bloc's year-end report, every figure filled in from the
final report, the parts a person must write marked as such (a bracketed instruction)."""

from __future__ import annotations

from decimal import Decimal

from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.ratings import Rating
from thidua_xlsx.core.report import Meeting, Report, Status, UnitResult
from thidua_xlsx.writers import dossier_facts as F
from thidua_xlsx.writers.docx_style import CELL, Doc, Signer
from thidua_xlsx.writers.dossier_submission import COUNCIL, TITLES

# The section-4 targets (JSON keys of targets_met) as the report names them.
TARGET_NAMES = {
    "ldtt": "tỷ lệ Lao động tiên tiến",
    "cstd": "tỷ lệ Chiến sĩ thi đua",
    "unit_rating": "xếp loại đơn vị",
    "party_rating": "xếp loại tổ chức đảng",
}


def year_end_report(report: Report) -> Doc:
    info = report.bloc.info
    summary = f"Tổng kết phong trào thi đua năm {info.year} và phương hướng, nhiệm vụ năm {info.year + 1}"
    doc = Doc(f"Báo cáo {summary[0].lower()}{summary[1:]} (dự thảo)", info.name)
    doc.heading_block(governing=info.governing_body, issuer=info.name, place_date=F.place_date(report, dated=False))
    doc.title_block("Báo cáo", summary, "(Dự thảo)")
    _situation(doc, report)
    doc.heading(f"II. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA NĂM {info.year}")
    doc.heading("1. Công tác chỉ đạo, tổ chức phong trào thi đua")
    doc.to_write("Khối trưởng viết: việc phát động phong trào, ký kết giao ước thi đua, các phong trào thi đua chuyên "
                 "đề, hoạt động kiểm tra, giao lưu, trao đổi kinh nghiệm giữa các đơn vị trong khối.")  # fmt: skip
    _returns(doc, report)
    _targets(doc, report)
    _ranking(doc, report)
    _titles_and_awards(doc, report)
    doc.heading("III. ĐÁNH GIÁ CHUNG")
    doc.heading("1. Ưu điểm")
    doc.to_write("Khối trưởng viết: những kết quả nổi bật, đơn vị tiêu biểu, mô hình hay của năm.")
    doc.heading("2. Hạn chế, nguyên nhân")
    doc.to_write("Khối trưởng viết: những chỉ tiêu chưa đạt (xem mục II.3), việc gửi báo cáo, bảng tự chấm chậm hoặc "
                 "có sai sót (xem mục II.2), và nguyên nhân.")  # fmt: skip
    doc.heading("3. Bài học kinh nghiệm")
    doc.to_write("Khối trưởng viết.")
    _next_year(doc, report)
    doc.heading("V. ĐỀ XUẤT, KIẾN NGHỊ")
    doc.to_write(f"Khối trưởng viết: đề xuất, kiến nghị với {COUNCIL} và cấp trên (nếu có).")
    doc.para(f"Trên đây là báo cáo tổng kết phong trào thi đua năm {info.year} của {info.name}./.")
    doc.signatures(
        Signer(TITLES, info.signer),
        recipients=[f"- {COUNCIL};", "- Các đơn vị thành viên của khối;", "- Lưu: VT, hồ sơ khối."],
    )
    return doc


def _situation(doc: Doc, report: Report) -> None:
    info = report.bloc.info
    leader = F.unit_name(report, info.leader)
    doc.heading("I. ĐẶC ĐIỂM TÌNH HÌNH")
    doc.para(f"{info.name} gồm {len(report.bloc.units)} đơn vị thành viên"
             + (f"; khối trưởng năm {info.year} là {leader}" if leader else "") + ". Bộ tiêu chí thi đua của khối có "
             f"{len(report.bloc.leaves)} tiêu chí chấm điểm, tổng điểm chuẩn {vn(info.base_total)} điểm.")  # fmt: skip
    doc.to_write("Khối trưởng viết: thuận lợi, khó khăn của các đơn vị trong khối trong năm.")


def _returns(doc: Doc, report: Report) -> None:
    info = report.bloc.info
    came = F.received(report)
    sent = [r for r in came if r.unit.status is not Status.MISSING]
    late = [r for r in sent if r.on_time is False]
    doc.heading("2. Việc tự chấm điểm, gửi báo cáo của các đơn vị")
    deadline = f" (hạn nộp {info.deadline:%d/%m/%Y})" if info.deadline else ""
    text = f"{len(sent)}/{len(came)} đơn vị đã gửi bảng tự chấm điểm về khối trưởng{deadline}"
    if info.deadline:
        text += f"; {len(sent) - len(late)} đơn vị gửi đúng hạn, {len(late)} đơn vị gửi sau hạn (theo thời gian tệp)"
    missing = [r.unit.name for r in came if r.unit.status is Status.MISSING]
    errors = [r.unit.name for r in came if r.unit.status is Status.ERROR]
    text += "." + (f" Chưa gửi: {'; '.join(missing)}." if missing else "")
    text += f" Bảng tự chấm có lỗi, chưa xếp hạng: {'; '.join(errors)}." if errors else ""
    doc.para(text, keep_next=True)
    rows = []
    for i, r in enumerate(came, 1):
        when = f"{r.time:%d/%m/%Y %H:%M}" if r.time else "—"
        on_time = {True: "Đúng hạn", False: "Sau hạn", None: "—"}[r.on_time]
        rows.append([str(i), r.unit.name, when, on_time, r.unit.status.label])
    doc.table(["STT", "Đơn vị", "Thời gian tệp", "Hạn nộp", "Tình trạng"], rows, (13, 63, 34, 22, 33),
              centred=(0, 2, 3))  # fmt: skip


SHORT_TARGETS = {"ldtt": "LĐTT", "cstd": "CSTĐ", "unit_rating": "xếp loại đơn vị", "party_rating": "xếp loại TCĐ"}


def _rating(rating: Rating | None) -> str:
    return rating.name if rating else "—"


def _missed(u: UnitResult) -> str:
    """The targets a unit missed, or 'Đạt cả 4' (those it lacks data for said as such)."""
    missed = [SHORT_TARGETS[k] for k, v in u.targets_met.items() if v is False]
    unknown = [SHORT_TARGETS[k] for k, v in u.targets_met.items() if v is None]
    parts = ([f"Chưa đạt: {', '.join(missed)}"] if missed else []) + (
        [f"Thiếu số liệu: {', '.join(unknown)}"] if unknown else []
    )
    return "; ".join(parts) or "Đạt cả 4"


def _count(value: object, share: Decimal | None) -> str:
    """'30\n(93,75 %)': a head count and its share."""
    return f"{vn(value) if isinstance(value, Decimal | int) else '—'}\n({F.share_text(share)})"


def _targets(doc: Doc, report: Report) -> None:
    info = report.bloc.info
    units = [u for u in F.in_bloc_order(report) if u.status is not Status.MISSING]
    bloc = F.bloc_targets(report)
    doc.heading("3. Kết quả thực hiện các chỉ tiêu thi đua")
    aims = []
    if info.ldtt_min is not None:
        aims.append(f'tỷ lệ cá nhân đạt danh hiệu "Lao động tiên tiến" (LĐTT) từ {vn(info.ldtt_min)} % trở lên')
    if info.cstd_target is not None:
        aims.append(f'tỷ lệ "Chiến sĩ thi đua cơ sở" (CSTĐ) từ {vn(info.cstd_target)} % số LĐTT trở lên')
    aims.append("đơn vị và tổ chức đảng (TCĐ) hoàn thành tốt nhiệm vụ trở lên")
    doc.para("Chỉ tiêu thi đua của khối: " + "; ".join(aims) + ".")
    line = (f"Toàn khối ({bloc.units} đơn vị đã gửi số liệu): {vn(bloc.ts)} người, trong đó {vn(bloc.ldtt)} người đạt "
            f"LĐTT ({F.share_text(bloc.ldtt_share)}), {vn(bloc.cstd)} người đạt CSTĐ "
            f"({F.share_text(bloc.cstd_share)} số LĐTT). ")  # fmt: skip
    line += "; ".join(f"{bloc.met[k]}/{bloc.units} đơn vị đạt chỉ tiêu {name}" for k, name in TARGET_NAMES.items())
    doc.para(line + ".", keep_next=True)
    rows = []
    for i, u in enumerate(units, 1):
        d = u.data
        rows.append([str(i), u.name, vn(d.get("TS")), _count(d.get("LDTT"), u.ldtt_share),
                     _count(d.get("CSTD"), u.cstd_share), f"{_rating(u.rating)}\n{_rating(u.party_rating)}",
                     _missed(u)])  # fmt: skip
    rows.append(["", "Toàn khối", vn(bloc.ts), _count(bloc.ldtt, bloc.ldtt_share), _count(bloc.cstd, bloc.cstd_share),
                 "", ""])  # fmt: skip
    doc.table(["STT", "Đơn vị", "Tổng số người", "Số LĐTT (tỷ lệ)", "Số CSTĐ (tỷ lệ trên LĐTT)",
               "Xếp loại đơn vị / TCĐ", "Chỉ tiêu"], rows, (13, 40, 15, 22, 24, 22, 29),
              centred=(0, 2, 3, 4, 5), bold_rows=(len(rows) - 1,))  # fmt: skip
    doc.para("Xếp loại: HTXSNV – hoàn thành xuất sắc nhiệm vụ; HTTNV – hoàn thành tốt nhiệm vụ; HTNV – hoàn thành "
             "nhiệm vụ; KHTNV – không hoàn thành nhiệm vụ.", style=CELL, italic=True)  # fmt: skip


def _ranking(doc: Doc, report: Report) -> None:
    meeting = report.meeting or Meeting()
    day = F.meeting_date(meeting)
    when = f" ngày {day:%d/%m/%Y}" if day else ""
    changed = F.adjustments(report)
    doc.heading("4. Kết quả chấm điểm, xếp hạng")
    checked = (f"chấm lại {len(changed)} tiêu chí của {len({u.code for u, _ in changed})} đơn vị" if changed
               else "giữ nguyên điểm tự chấm của các đơn vị")  # fmt: skip
    doc.para(f"Tại cuộc họp bình xét, suy tôn{when} ({meeting.members}/{len(report.units)} đơn vị thành viên dự họp), "
             f"khối đã kiểm tra kết quả tự chấm điểm theo từng tiêu chí và {checked}. Kết quả xếp hạng "
             f"{len(F.ranked(report))} đơn vị:", keep_next=True)  # fmt: skip
    rows = []
    for u in report.units:
        if u.status is not Status.RANKED:
            rows.append(["—", u.name, "—", "—", "—", "—", "—", u.status.label])
            continue
        rank = f"{u.rank}\n(đồng hạng)" if u.tie else str(u.rank)
        rows.append([rank, u.name, vn(u.self_total), vn(u.base), vn(u.bonus), vn(u.deduction), vn(u.total),
                     _rating(u.rating)])  # fmt: skip
    doc.table(["Hạng", "Đơn vị", "Tổng điểm tự chấm", "Điểm chuẩn", "Điểm thưởng", "Điểm trừ", "Tổng điểm",
               "Xếp loại đơn vị"], rows, (14, 44, 18, 16, 17, 14, 17, 25), centred=(0, 2, 3, 4, 5, 6, 7))  # fmt: skip


def _titles_and_awards(doc: Doc, report: Report) -> None:
    info = report.bloc.info
    ranked = F.ranked(report)
    doc.heading("5. Danh hiệu thi đua, đề nghị khen thưởng")
    for title in report.bloc.titles:
        names = [u.name for u in ranked if u.eligible.get(title.name) is True]
        doc.item((f"{title.name}: ", {"bold": True}),
                 f"{len(names)} đơn vị đủ điều kiện" + (f" ({'; '.join(names)})." if names else "."))  # fmt: skip
    groups = F.by_award(report)
    if not groups:
        doc.para("Khối không có tập thể được đề nghị khen thưởng.")
        return
    count = sum(len(units) for units in groups.values())
    doc.para(f"Qua bình xét, suy tôn, khối đề nghị khen thưởng {count} tập thể (mỗi đề nghị được quá "
             f"{vn(info.vote_share_min)} % số thành viên dự họp nhất trí):", keep_next=True)  # fmt: skip
    for award, members in groups.items():
        listed = "; ".join(f"{u.name} (hạng {u.rank}, {vn(u.total)} điểm, {F.votes_text(u, report)})" for u in members)
        doc.item((f"{award}: ", {"bold": True}), listed + ".")


def _next_year(doc: Doc, report: Report) -> None:
    meeting = report.meeting or Meeting()
    year = report.bloc.info.year + 1
    doc.heading(f"IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {year}")
    for role, code, votes in (("Khối trưởng", meeting.next_leader, meeting.next_leader_votes),
                              ("Khối phó", meeting.next_deputy, meeting.next_deputy_votes)):  # fmt: skip
        who = F.unit_name(report, code) + F.elected_votes(votes, report) if code else "chưa bầu"
        doc.item((f"{role} năm {year}: ", {"bold": True}), who + ".")
    doc.to_write(f"Khối trưởng viết: phương hướng, nhiệm vụ và các chỉ tiêu thi đua của khối năm {year}.")
