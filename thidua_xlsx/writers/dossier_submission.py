"""Tờ trình đề nghị khen thưởng: the bloc's proposals to the standing office of the Emulation
and Commendation Council, with how it scored and voted, and the proposals as a table."""

from __future__ import annotations

from docx.shared import Pt

from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.report import Meeting, Report, Status
from thidua_xlsx.writers import dossier_facts as F
from thidua_xlsx.writers.docx_style import BODY_PT, HEAD, Doc, Signer

COUNCIL = "Thường trực Hội đồng Thi đua – Khen thưởng"
TITLES = ("TM. KHỐI THI ĐUA", "KHỐI TRƯỞNG")  # the leader signs for the bloc


def submission(report: Report) -> Doc:
    info = report.bloc.info
    meeting = report.meeting or Meeting()
    summary = f"Về việc đề nghị khen thưởng tập thể năm {info.year}"
    doc = Doc(f"Tờ trình {summary[0].lower()}{summary[1:]}", info.name)
    doc.heading_block(governing=info.governing_body, issuer=info.name, place_date=F.place_date(report, dated=False))
    doc.title_block("Tờ trình", summary)
    doc.para("Kính gửi: ", (COUNCIL + ".", {"bold": True}), style=HEAD, size=BODY_PT).paragraph_format.space_after = Pt(
        6
    )
    _grounds(doc, report)
    _work(doc, report, meeting)
    _proposals(doc, report)
    doc.para(f"{info.name} kính trình {COUNCIL} xem xét, đề nghị cấp có thẩm quyền khen thưởng cho các tập thể "
             "nêu trên./.")  # fmt: skip
    doc.signatures(
        Signer(TITLES, info.signer),
        recipients=["- Như trên;", "- Các đơn vị thành viên của khối;", "- Lưu: VT, hồ sơ khối."],
    )
    return doc


def _grounds(doc: Doc, report: Report) -> None:
    day = F.meeting_date(report.meeting)
    when = f" ngày {day:%d/%m/%Y}" if day else ""
    doc.para(("Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15;", {"italic": True}))
    doc.para((f"Căn cứ kết quả chấm điểm, xếp hạng và biên bản họp bình xét, suy tôn{when} của "
              f"{report.bloc.info.name},", {"italic": True}))  # fmt: skip


def _work(doc: Doc, report: Report, meeting: Meeting) -> None:
    info = report.bloc.info
    units = report.units
    sent = sum(1 for u in units if u.status is not Status.MISSING)
    ranked = F.ranked(report)
    leader = F.unit_name(report, info.leader)
    doc.heading(f"1. Kết quả thực hiện phong trào thi đua năm {info.year}")
    members = f"{info.name} gồm {len(units)} đơn vị thành viên" + (f", khối trưởng là {leader}" if leader else "")
    doc.para(
        f"{members}. Năm {info.year}, các đơn vị trong khối thi đua thực hiện nhiệm vụ chính trị, các chỉ tiêu thi "
        f"đua đã đăng ký và tự chấm điểm theo bộ tiêu chí của khối (tổng điểm chuẩn {vn(info.base_total)} điểm)."
    )
    doc.to_write("Khối trưởng tóm tắt những kết quả nổi bật của phong trào thi đua trong khối năm "
                 f"{info.year}: các phong trào thi đua chuyên đề, mô hình, điển hình tiên tiến.")  # fmt: skip
    doc.heading("2. Việc chấm điểm, bình xét, suy tôn")
    deadline = f" đến hạn {info.deadline:%d/%m/%Y}" if info.deadline else ""
    doc.para(f"Khối trưởng đã nhận bảng tự chấm điểm của {sent}/{len(units)} đơn vị{deadline}, kiểm tra, tổng hợp và "
             f"xếp hạng {len(ranked)} đơn vị đủ điều kiện xếp hạng.")  # fmt: skip
    changed = F.adjustments(report)
    day = F.meeting_date(meeting)
    when = f" ngày {day:%d/%m/%Y}" if day else ""
    checked = (f"chấm lại {len(changed)} tiêu chí của {len({u.code for u, _ in changed})} đơn vị" if changed
               else "giữ nguyên điểm tự chấm của các đơn vị")  # fmt: skip
    doc.para(f"Tại cuộc họp bình xét, suy tôn{when} ({meeting.members}/{len(units)} đơn vị thành viên dự họp), khối "
             f"đã kiểm tra kết quả tự chấm điểm theo từng tiêu chí, {checked}, xếp hạng theo tổng điểm (đồng điểm "
             f"xếp theo số phiếu suy tôn) và bỏ phiếu suy tôn; mỗi đề nghị khen thưởng được quá "
             f"{vn(info.vote_share_min)} % số thành viên dự họp nhất trí (ít nhất {F.fewest_votes(report)} phiếu) và "
             "đủ các điều kiện về hạng, điểm và danh hiệu của khối.")  # fmt: skip


def _proposals(doc: Doc, report: Report) -> None:
    info = report.bloc.info
    doc.heading("3. Đề nghị khen thưởng")
    proposed = F.proposed(report)
    if not proposed:
        doc.para(f"Năm {info.year}, khối không có tập thể đủ điều kiện để đề nghị khen thưởng.")
        return
    groups = F.by_award(report)
    counts = "; ".join(f"{award}: {len(units)} tập thể" for award, units in groups.items())
    doc.para(f"{info.name} đề nghị khen thưởng {len(proposed)} tập thể ({counts}), cụ thể:", keep_next=True)
    rows = []
    for i, u in enumerate((u for units in groups.values() for u in units), 1):
        rank = f"{u.rank} (đồng hạng)" if u.tie else str(u.rank)
        rows.append([str(i), u.name, u.proposal or "", F.proposal_title(report, u) or "—", vn(u.total), rank,
                     F.votes_count(u, report)])  # fmt: skip
    doc.table(["STT", "Tên tập thể", "Hình thức khen thưởng", "Danh hiệu", "Tổng điểm", "Hạng", "Số phiếu suy tôn"],
              rows, (13, 40, 34, 29, 16, 15, 18), centred=(0, 4, 5, 6))  # fmt: skip
    doc.para(
        "(Kèm theo: biên bản họp bình xét, suy tôn; bảng tổng hợp kết quả chấm điểm, xếp hạng thi đua năm "
        f"{info.year}; báo cáo tổng kết và bảng tự chấm điểm của các đơn vị được đề nghị.)",
        italic=True,
    )
