"""Biên bản họp bình xét, suy tôn: the meeting's record as a Word document, for the secretary
and the chair to sign (the same record as the final ranking's 'Biên bản' sheet)."""

from __future__ import annotations

from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.report import Meeting, Report, Status
from thidua_xlsx.writers import dossier_facts as F
from thidua_xlsx.writers.docx_style import Doc, Signer


def minutes(report: Report) -> Doc:
    info = report.bloc.info
    meeting = report.meeting or Meeting()
    doc = Doc(f"Biên bản họp bình xét, suy tôn thi đua năm {info.year}", info.name)
    doc.heading_block(governing=info.governing_body, issuer=info.name, place_date=F.place_date(report, dated=True))
    doc.title_block("Biên bản", f"Họp bình xét, suy tôn thi đua năm {info.year}")
    _attendance(doc, report, meeting)
    doc.heading("II. NỘI DUNG")
    _checked(doc, report)
    _ranking(doc, report)
    _votes(doc, report, meeting)
    _election(doc, report, meeting)
    doc.heading("III. KẾT THÚC")
    doc.para(f"Cuộc họp kết thúc lúc {F.DOTS} giờ {F.DOTS} cùng ngày. Biên bản được lập và thông qua tại cuộc họp; các "
             "thành viên dự họp nhất trí với nội dung biên bản./.")  # fmt: skip
    doc.signatures(
        Signer(["Chủ trì"], meeting.chair),
        left=Signer(["Thư ký"], meeting.secretary),
        recipients=[
            "- Thường trực Hội đồng Thi đua – Khen thưởng;",
            "- Các đơn vị thành viên của khối;",
            "- Lưu: hồ sơ khối.",
        ],
    )
    return doc


def _attendance(doc: Doc, report: Report, meeting: Meeting) -> None:
    units = report.bloc.units
    present = [F.unit_name(report, code) for code in meeting.present]
    absent = [u.name for u in units if u.code not in meeting.present]
    doc.heading("I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    doc.para(("1. Thời gian: ", {"bold": True}), meeting.time or F.DOTS, ".")
    doc.para(("2. Địa điểm: ", {"bold": True}), meeting.place or F.DOTS, ".")
    doc.para(("3. Chủ trì: ", {"bold": True}), meeting.chair or F.DOTS, "; ", ("thư ký: ", {"bold": True}),
             meeting.secretary or F.DOTS, ".")  # fmt: skip
    doc.para(("4. Thành phần: ", {"bold": True}), f"đại diện {len(present)}/{len(units)} đơn vị thành viên của "
             f"{report.bloc.info.name} có mặt: " + ("; ".join(present) or "không có") + ".")  # fmt: skip
    doc.para(f"Vắng mặt {len(absent)} đơn vị: " + "; ".join(absent) + "." if absent else "Không có đơn vị vắng mặt.")


def _checked(doc: Doc, report: Report) -> None:
    info = report.bloc.info
    ranked = F.ranked(report)
    errors = [u for u in report.units if u.status is Status.ERROR]
    missing = [u for u in report.units if u.status is Status.MISSING]
    sent = len(report.units) - len(missing)
    doc.heading("1. Kiểm tra kết quả tự chấm điểm")
    deadline = f" (hạn nộp {info.deadline:%d/%m/%Y})" if info.deadline else ""
    doc.para(f"Khối đã kiểm tra bảng tự chấm điểm của {sent}/{len(report.units)} đơn vị đã gửi{deadline} theo bộ tiêu "
             f"chí của khối ({len(report.bloc.leaves)} tiêu chí chấm điểm, tổng điểm chuẩn {vn(info.base_total)} "
             f"điểm), đối chiếu từng tiêu chí với giải trình, minh chứng của đơn vị: {len(ranked)} đơn vị đủ điều "
             "kiện xếp hạng.")  # fmt: skip
    for u in errors + missing:
        doc.item(f"{u.name}: {u.note}")
    changed = F.adjustments(report)
    if not changed:
        doc.para("Khối thống nhất giữ nguyên điểm tự chấm của các đơn vị.")
        return
    units = list(dict.fromkeys(u.code for u, _ in changed))
    doc.para(f"Khối thống nhất chấm lại {len(changed)} tiêu chí của {len(units)} đơn vị (điểm khối chấm):",
             keep_next=True)  # fmt: skip
    rows = []
    for i, (u, a) in enumerate(changed, 1):
        criterion = report.bloc.by_code.get(a.criterion)
        what = f"{a.criterion}. {criterion.text}" if criterion else a.criterion
        rows.append([str(i), u.name, what, vn(a.self), vn(a.agreed), a.reason])
    doc.table(["STT", "Đơn vị", "Tiêu chí", "Điểm tự chấm", "Điểm khối chấm", "Lý do"], rows,
              (13, 36, 38, 17, 17, 44), centred=(0, 3, 4))  # fmt: skip
    doc.para("Tổng điểm của các đơn vị có tiêu chí được chấm lại (điểm tự chấm → điểm khối chấm):", keep_next=True)
    for code in units:
        u = next(x for x, _ in changed if x.code == code)
        doc.item(f"{u.name}: {vn(u.self_total)} → {vn(u.agreed_total)} điểm.")


def _ranking(doc: Doc, report: Report) -> None:
    doc.heading("2. Kết quả chấm điểm, xếp hạng")
    doc.para(
        "Tổng điểm của mỗi đơn vị được tính lại từ điểm từng tiêu chí (điểm khối chấm ở các tiêu chí được chấm "
        "lại, điểm tự chấm ở các tiêu chí khác); đồng điểm thì xếp theo số phiếu suy tôn.",
        keep_next=True,
    )
    rows = []
    for u in report.units:
        if u.status is Status.RANKED:
            rank = f"{u.rank}\n(đồng hạng)" if u.tie else str(u.rank)
            rows.append([rank, u.name, vn(u.self_total), vn(u.total), F.votes_count(u, report),
                         u.proposal or "Không"])  # fmt: skip
        else:
            rows.append(["—", u.name, "—", "—", "—", u.status.label])
    doc.table(["Hạng", "Tên đơn vị", "Tổng điểm tự chấm", "Tổng điểm khối chấm", "Số phiếu suy tôn",
               "Đề nghị khen thưởng"], rows, (15, 52, 20, 20, 20, 38), centred=(0, 2, 3, 4))  # fmt: skip
    noted = F.noteworthy(report)
    if noted:
        doc.para("Ghi chú:", keep_next=True)
    for u in noted:
        doc.item(f"{u.name}: {u.note}")


def _votes(doc: Doc, report: Report, meeting: Meeting) -> None:
    info = report.bloc.info
    doc.heading("3. Bỏ phiếu suy tôn, đề nghị khen thưởng")
    doc.para(f"Số thành viên dự họp: {meeting.members}. Đề nghị khen thưởng cần số phiếu suy tôn nhiều hơn "
             f"{vn(info.vote_share_min)} % số thành viên dự họp, tức ít nhất {F.fewest_votes(report)} phiếu, và đủ "
             "các điều kiện về hạng, điểm và danh hiệu của khối.")  # fmt: skip
    groups = F.by_award(report)
    if not groups:
        doc.para("Kết quả: không có đơn vị nào được đề nghị khen thưởng.")
        return
    count = sum(len(units) for units in groups.values())
    doc.para(f"Kết quả: khối thống nhất đề nghị khen thưởng {count} tập thể:", keep_next=True)
    for award, units in groups.items():
        listed = "; ".join(f"{u.name} ({F.votes_text(u, report)})" for u in units)
        doc.item((f"{award}: ", {"bold": True}), listed + ".")


def _election(doc: Doc, report: Report, meeting: Meeting) -> None:
    year = report.bloc.info.year + 1
    doc.heading(f"4. Bầu khối trưởng, khối phó năm {year}")
    for role, code, votes in (("Khối trưởng", meeting.next_leader, meeting.next_leader_votes),
                              ("Khối phó", meeting.next_deputy, meeting.next_deputy_votes)):  # fmt: skip
        if code:
            doc.item((f"{role}: ", {"bold": True}), F.unit_name(report, code) + F.elected_votes(votes, report) + ".")
        else:
            doc.item((f"{role}: ", {"bold": True}), "chưa bầu.")
