"""Build the sample meeting's workbook: the samples' provisional ranking, as the secretary of
the year-end review meeting filled it in ('Bình xét' and 'Điều chỉnh điểm').

    python samples/make_review.py [OUT_FOLDER]

Writes OUT_FOLDER/binh_xet_2024.xlsx (default: the folder of this script) from OUT_FOLDER's
khoi.xlsx and inbox/. Then `thidua-xlsx collect samples/inbox/ --review samples/binh_xet_2024.xlsx`
writes the final ranking.

The story of the meeting (8/1/2025, 15 of 16 units present, PTQD, which sent nothing, absent):
- BQLDA's 1.2 (administrative reform, 10 of 10) is scored 9: the district rated its reform
  "Tốt", not "Xuất sắc".
- TCKH sent its half-year report late once: 0.5 of deduction on 7.1.
- YT's 4.4 (the "new countryside" movement, 4 of 4) is scored 3: no model was replicated.
- VP and GDDT stay tied on 96.3 across the boundary between "Bằng khen" and "Giấy khen": the
  votes decide (GDDT 12, VP 9), and they gate every proposal (more than half of 15 members).
- GDDT is elected next year's leader (14 votes), VP its deputy (13).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.ranking_book import write_ranking

HERE = Path(__file__).resolve().parent
MADE = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # sent to the members

RECORD = {
    L.M_TIME: "8 giờ 00, ngày 08/01/2025",
    L.M_PLACE: "Hội trường UBND huyện Ý Yên",
    L.M_CHAIR: "Nguyễn Hữu Hợp",
    L.M_SECRETARY: "Trần Thị Thu Hà",
    L.NEXT_LEADER: "Phòng Giáo dục và Đào tạo",
    L.LEADER_VOTES: 14,
    L.NEXT_DEPUTY: "Văn phòng HĐND và UBND huyện",
    L.DEPUTY_VOTES: 13,
}
VOTES = {
    "BQLDA": 15, "VHTT": 14, "GDDT": 12, "VP": 9, "LDTBXH": 13, "TCKH": 11, "NV": 10, "TP": 8, "YT": 7,
    "TTRA": 6, "KTHT": 5, "NNPTNT": 5, "TTVHTT": 4, "DVNN": 3,
}  # fmt: skip
ABSENT = ("PTQD",)
ADJUSTMENTS = [
    ("BQLDA", "1.2", 9, "Kết quả đánh giá cải cách hành chính năm 2024 của huyện xếp loại Tốt, chưa đạt Xuất sắc."),
    ("TCKH", "7.1", 0.5, "Nộp báo cáo sơ kết 6 tháng chậm 01 lần (theo theo dõi của khối trưởng)."),
    ("YT", "4.4", 3, "Chưa có mô hình điển hình được nhân rộng trong năm (theo báo cáo tổng kết của đơn vị)."),
]


def build(out_dir: Path | str = HERE) -> Path:
    out = Path(out_dir)
    bloc = load_bloc(out / "khoi.xlsx")
    report = replace(collect(out / "inbox", bloc, shown_as="inbox"), created=MADE)
    path = write_ranking(report, out / "binh_xet_2024.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[L.R_REVIEW]
    labels: dict[str, str] = {}
    head, cols = 0, {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in L.MEETING_LABELS and cell.value not in labels:
                labels[cell.value] = ws.cell(cell.row, cell.column + 1).coordinate
            if cell.value == L.V_CODE and not head:
                head, cols = cell.row, {c.value: c.column for c in row if c.value}
    for label, value in RECORD.items():
        ws[labels[label]] = value
    for r in range(head + 1, ws.max_row + 1):
        code = ws.cell(r, cols[L.V_CODE]).value
        if code in ABSENT:
            ws.cell(r, cols[L.V_ATTENDED]).value = L.ABSENT
        if code in VOTES:
            ws.cell(r, cols[L.V_VOTES]).value = VOTES[code]
    adjust = wb[L.R_ADJUST]
    top = next(c.row for row in adjust.iter_rows() for c in row if c.value == L.J_UNIT)
    acols = {c.value: c.column for c in adjust[top] if c.value}
    for i, (unit, criterion, agreed, reason) in enumerate(ADJUSTMENTS, start=top + 1):
        for label, value in ((L.J_UNIT, unit), (L.J_CRITERION, criterion), (L.J_AGREED, agreed), (L.J_REASON, reason)):
            adjust.cell(i, acols[label]).value = value
    wb.properties.modified = MADE.replace(tzinfo=None)
    wb.save(path)
    return path


def main(argv: list[str]) -> int:
    path = build(Path(argv[1]) if len(argv) > 1 else HERE)
    print(f"Đã ghi bảng bình xét mẫu: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
