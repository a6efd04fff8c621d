"""Build the sample bloc and a realistic, messy inbox of returned self-scoring workbooks.

    python samples/make_samples.py [OUT_FOLDER]

Writes OUT_FOLDER/khoi.xlsx (the shipped default bloc: Ý Yên district, 2024, 16 units) and
OUT_FOLDER/inbox/ with the returns units would send (default OUT_FOLDER: the folder of this
script). Deterministic: fixed seeds, fixed generation stamp, fixed zip entry times and document
properties, fixed file modification times. The previous inbox/ is removed first.

Each workbook records when it was "saved" (`dcterms:modified` in docProps/core.xml, set to the
time the unit sent it): that record, not the file's modification time, decides which of two
files of a unit is newer, so a fresh clone (where git gives every file the same time) tells the
same story with no further step.

The story the inbox tells (see `PLAN` and `STORY`):
- BQLDA has the highest total but only 65 % of its staff hold "Lao động tiên tiến": rank 1,
  no proposal, because the title "Tập thể lao động xuất sắc" needs 70 %.
- VP and GDDT tie on 96.3 (different decimals and bonus/deduction): rank 3, across the boundary
  between "Bằng khen" (ranks 2-3) and "Giấy khen" (ranks 4-6), so the bloc votes.
- TCKH and LDTBXH tie on 95.25 inside the "Giấy khen" ranks.
- TP typed one score as text with a decimal comma ("9,5"): read, with a warning.
- TNMT scored 15.5 on a criterion worth 15: an error, TNMT is not ranked.
- PTQD sent nothing.
- NV sent its table twice (28/12 by e-mail, corrected on 30/12): the newer file is used.
- TTVHTT filled its table in LibreOffice and saved it there as .xlsx.
- Units send their year-end report with the table (`DOCUMENTS`): signed scans as PDF, YT a Word
  file whose name says nothing but whose heading names it (the addressee line names the bloc
  leader and does not count), TP a photo named after it. A phone photo named IMG_… matches no
  unit, and KTHT sent no report: both are warnings.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TZ = dt.timezone(dt.timedelta(hours=7))
GENERATED_AT = "2024-12-02T08:00:00+07:00"  # when the bloc leader sent the templates out
ZIP_TIME = (2024, 12, 2, 8, 0, 0)
SEED = 2024

HTXS = "Hoàn thành xuất sắc nhiệm vụ"
HTT = "Hoàn thành tốt nhiệm vụ"

QUARTER = tuple(Decimal(x) for x in ("0.25", "0.5", "0.5", "0.75", "1", "1", "1.5"))
TENTH = tuple(Decimal(x) for x in ("0.1", "0.2", "0.3", "0.4", "0.6", "0.7", "0.9", "1.3"))


@dataclass
class Return:
    """One file a unit sends: where it lands in the inbox, when, and how it was made."""

    name: str  # path inside inbox/, with '/' for a subfolder
    sent: dt.datetime  # becomes the file's modification time
    changes: dict[str, Any] = field(default_factory=dict)  # score overrides for this file only
    notes: dict[str, str] | None = None  # "Giải trình, minh chứng" of this file, if not the unit's
    libreoffice: bool = False  # re-saved by LibreOffice Calc as .xlsx


@dataclass
class UnitPlan:
    code: str
    base: Decimal  # planned sum of the 'điểm' criteria
    data: dict[str, Any]
    fixed: dict[str, Any] = field(default_factory=dict)  # leaf code -> score as typed (any type)
    notes: dict[str, str] = field(default_factory=dict)  # leaf code -> "Giải trình, minh chứng"
    returns: list[Return] = field(default_factory=list)
    steps: tuple[Decimal, ...] = QUARTER
    expect: str = "ranked"  # "ranked", "error" or "missing"


def _t(day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2024, 12, day, hour, minute, tzinfo=TZ)


def _data(ts: int, ldtt: int, cstd: int, khtnv: int = 0, kl: int = 0, xldv: str = HTXS, xltcd: str = HTXS) -> dict:
    return {"TS": ts, "LDTT": ldtt, "CSTD": cstd, "KHTNV": khtnv, "KL": kl, "XLDV": xldv, "XLTCD": xltcd}


D = Decimal
PLAN: list[UnitPlan] = [
    UnitPlan(
        "BQLDA",
        D("96.75"),
        _data(20, 13, 2),
        fixed={"1.1": D(15), "5.3": D("1.5"), "6.1": D(2)},
        notes={
            "5.3": "13/20 người đạt LĐTT (65 %): 7 lao động hợp đồng chưa đủ thời gian công tác để bình xét.",
            "6.1": "Bằng khen của Chủ tịch UBND tỉnh cho tập thể (Quyết định số 1520/QĐ-UBND ngày 15/8/2024).",
            "1.1": "Giải ngân 100 % kế hoạch vốn đầu tư công năm 2024; 12/12 công trình đúng tiến độ.",
        },
        returns=[Return("BQLDA - Bang tu cham diem thi dua 2024.xlsx", _t(27, 15, 20))],
    ),
    UnitPlan(
        "VHTT",
        D("96"),
        _data(10, 10, 2),
        fixed={"6.2": D("1.5")},
        notes={
            "6.2": 'Mô hình "Thư viện số cấp xã" được UBND huyện công nhận (Quyết định số 845/QĐ-UBND).',
            "4.2": "Phát động 3 đợt thi đua chuyên đề; tổ chức Đại hội TDTT huyện lần thứ IX.",
        },
        returns=[Return("VHTT - Bang tu cham diem 2024.xlsx", _t(26, 10, 5))],
    ),
    UnitPlan(
        "VP",
        D("96.3"),
        _data(32, 30, 5),
        steps=TENTH,
        notes={"1.2": "Chỉ số cải cách hành chính của huyện xếp thứ 3/10 huyện, thành phố."},
        returns=[Return("Văn phòng HĐND-UBND huyện_tự chấm điểm 2024.xlsx", _t(30, 9, 40))],
    ),
    UnitPlan(
        "GDDT",
        D("94.8"),
        _data(24, 22, 4),
        steps=TENTH,
        fixed={"6.1": D(2), "7.1": D("0.5")},
        notes={
            "6.1": "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 2034/QĐ-UBND ngày 20/9/2024).",
            "7.1": "Báo cáo sơ kết 6 tháng nộp chậm 02 ngày.",
        },
        returns=[Return("PGD&DT tu cham 2024.xlsx", _t(29, 16, 55))],
    ),
    UnitPlan(
        "TCKH",
        D("95.25"),
        _data(18, 17, 3),
        returns=[Return("TCKH_tuchamdiem_2024_final.xlsx", _t(30, 8, 15))],
    ),
    UnitPlan(
        "LDTBXH",
        D("96.25"),
        _data(13, 12, 2),
        fixed={"7.2": D(1)},
        notes={"7.2": "Không tham gia hội thao của khối tháng 9/2024 (trùng lịch kiểm tra chính sách)."},
        returns=[Return("Phòng LĐ-TB&XH - tự chấm điểm thi đua năm 2024.xlsx", _t(28, 14, 30))],
    ),
    UnitPlan(
        "NV",
        D("94.5"),
        _data(14, 13, 2),
        fixed={"4.5": D("3.5")},
        returns=[
            Return("email 28-12/Phòng Nội vụ - bảng tự chấm.xlsx", _t(28, 9, 12), changes={"4.5": D(4)}, notes={}),
            # in a folder that sorts (and so checks out of git) after the first copy: newest even in a fresh clone
            Return("email 30-12/Phòng Nội vụ - bảng tự chấm (bản sửa).xlsx", _t(30, 16, 40)),
        ],
        notes={"4.5": "Báo cáo tổng kết công tác nội vụ gửi chậm 01 ngày (đã tự trừ ở tiêu chí này)."},
    ),
    UnitPlan(
        "TP",
        D("93.75"),
        _data(9, 9, 1, xltcd=HTT),
        fixed={"1.2": "9,5"},
        notes={"1.2": "Tỷ lệ hồ sơ chứng thực, hộ tịch giải quyết đúng hạn 99,2 %."},
        returns=[Return("Phòng Tư pháp_tự chấm.xlsx", _t(29, 11, 8))],
    ),
    UnitPlan(
        "YT",
        D("92.5"),
        _data(8, 8, 1),
        returns=[Return("email 28-12/Bang cham diem thi dua - Phong Y te.xlsx", _t(28, 10, 47))],
    ),
    UnitPlan(
        "TTRA",
        D("91.5"),
        _data(10, 9, 1, xltcd=HTT),
        fixed={"7.1": D(1)},
        notes={"7.1": "02 lần nộp báo cáo công tác tiếp công dân chậm hạn."},
        returns=[Return("Thanh tra huyen 2024.xlsx", _t(30, 10, 2))],
    ),
    UnitPlan(
        "KTHT",
        D("90.25"),
        _data(16, 14, 2, xldv=HTT),
        fixed={"5.3": D(2)},
        notes={"5.3": "14/16 người đạt LĐTT (87,5 %), chưa đạt chỉ tiêu 90 %."},
        returns=[Return("KTHT.xlsx", _t(30, 14, 26))],
    ),
    UnitPlan(
        "NNPTNT",
        D("89.5"),
        _data(12, 11, 2, xldv=HTT, xltcd=HTT),
        fixed={"1.1": D(14), "7.1": D("0.5")},
        notes={"1.1": "Hoàn thành 18/19 nhiệm vụ; kế hoạch dồn điền đổi thửa xã Yên Phong chậm tiến độ."},
        returns=[Return("email 28-12/Phong NN&PTNT - Tu cham diem TD 2024.xlsx", _t(28, 8, 3))],
    ),
    UnitPlan(
        "TTVHTT",
        D("88.75"),
        _data(28, 23, 3, khtnv=1, xldv=HTT, xltcd=HTT),
        fixed={"5.3": D("1.5")},
        notes={
            "5.3": "23/28 người đạt LĐTT (82,1 %); 01 viên chức không hoàn thành nhiệm vụ.",
            "4.4": "Tuyên truyền xây dựng nông thôn mới kiểu mẫu trên hệ thống truyền thanh 25/25 xã.",
        },
        returns=[Return("Trung tâm VHTT&TT - tự chấm 2024.xlsx", _t(29, 20, 14), libreoffice=True)],
    ),
    UnitPlan(
        "DVNN",
        D("89"),
        _data(46, 42, 5, kl=1, xldv=HTT, xltcd=HTT),
        fixed={"7.3": D(2)},
        notes={"7.3": "01 viên chức bị kỷ luật khiển trách (Quyết định số 56/QĐ-TTDVNN ngày 12/6/2024)."},
        returns=[Return("TT Dịch vụ nông nghiệp - Bảng tự chấm điểm.xlsx", _t(30, 15, 3))],
    ),
    UnitPlan(
        "TNMT",
        D("93.5"),
        _data(15, 14, 2),
        fixed={"1.1": D("15.5")},
        notes={"1.1": "Hoàn thành vượt kế hoạch thu hồi đất, cộng thêm 0,5 điểm."},
        returns=[Return("TNMT - tu cham diem 2024.xlsx", _t(30, 11, 31))],
        expect="error",
    ),
    UnitPlan("PTQD", D(0), {}, expect="missing"),
]


@dataclass(frozen=True)
class SentDocument:
    """A report sent with the returns: a signed scan (.pdf), a Word file, a photo (.png)."""

    name: str  # path inside inbox/
    sent: dt.datetime
    unit: str | None  # whose it is (None: a photo nobody can place)


DOCUMENTS = [
    SentDocument("BQLDA - Bao cao tong ket 2024 (ban ky).pdf", _t(27, 16, 5), "BQLDA"),
    SentDocument("VHTT - Bao cao tong ket 2024.pdf", _t(27, 9, 40), "VHTT"),
    SentDocument("PGD&DT bao cao tong ket.pdf", _t(29, 15, 22), "GDDT"),
    SentDocument("Văn phòng HĐND-UBND huyện_báo cáo tổng kết.pdf", _t(30, 8, 50), "VP"),
    SentDocument("Phòng LĐ-TB&XH - báo cáo tổng kết năm 2024.pdf", _t(29, 10, 12), "LDTBXH"),
    SentDocument("TCKH_baocao_2024.pdf", _t(28, 14, 0), "TCKH"),
    SentDocument("email 30-12/Phòng Nội vụ - báo cáo tổng kết.pdf", _t(30, 9, 10), "NV"),
    SentDocument("Phòng Tư pháp - báo cáo (ảnh chụp).png", _t(30, 16, 48), "TP"),
    SentDocument("TNMT - bao cao tong ket 2024.pdf", _t(30, 11, 33), "TNMT"),
    SentDocument("Trung tâm VHTT&TT - báo cáo tổng kết.pdf", _t(29, 20, 20), "TTVHTT"),
    SentDocument("TT Dịch vụ nông nghiệp - Báo cáo tổng kết.pdf", _t(30, 15, 5), "DVNN"),
    SentDocument("Thanh tra huyen - bao cao 2024.pdf", _t(30, 10, 5), "TTRA"),
    SentDocument("email 28-12/Bao cao tong ket nam 2024.docx", _t(28, 9, 30), "YT"),
    SentDocument("email 28-12/Phong NN&PTNT - Bao cao tong ket.pdf", _t(28, 8, 5), "NNPTNT"),
    SentDocument("IMG_20241230_1652.png", _t(30, 16, 52), None),
]


STORY = {
    "rank1_no_proposal": "BQLDA",
    "boundary_tie": ("GDDT", "VP"),
    "tie": ("LDTBXH", "TCKH"),
    "text_number": ("TP", "1.2"),
    "above_max": ("TNMT", "1.1"),
    "missing": "PTQD",
    "duplicate": "NV",
    "libreoffice": "TTVHTT",
    "no_report": "KTHT",
    "report_by_heading": "YT",
    "unplaced_document": "IMG_20241230_1652.png",
}


# The criteria of the shipped bloc ----------------------------------------------------------


def criteria() -> list[tuple[str, Decimal, str]]:
    """Leaves of the default bloc as (code, max, kind), kind one of 'điểm', 'thưởng', 'trừ'."""
    from thidua_xlsx.bloc.spec import default_bloc_spec

    rows = default_bloc_spec()["criteria"]
    codes = [str(r[0]) for r in rows]
    leaves = []
    for r in rows:
        code = str(r[0])
        if not any(o.startswith(code + ".") for o in codes):
            leaves.append((code, Decimal(str(r[2])), unicodedata.normalize("NFC", str(r[3]))))
    return leaves


def _value(v: Any) -> Decimal:
    return Decimal(str(v).strip().replace(",", "."))


def planned_scores(plan: UnitPlan, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every leaf's score as the unit types it: the base criteria spread so that they sum to
    `plan.base` exactly (seeded per unit), bonus and deductions 0 unless fixed."""
    leaves = criteria()
    rng = random.Random(f"{SEED}-{plan.code}")
    scores: dict[str, Any] = {}
    base = [(c, m) for c, m, kind in leaves if kind == "điểm"]
    current = {c: m for c, m in base}
    for code, value in plan.fixed.items():
        if code in current:
            current[code] = _value(value)
    deficit = sum(current.values()) - plan.base
    if deficit < 0:
        raise ValueError(f"{plan.code}: planned base {plan.base} is above what the fixed scores allow")
    # 5.1 and 5.2 follow the ratings on 'Số liệu' (all at least "hoàn thành tốt"): kept at their maximum.
    free = [(c, m) for c, m in base if c not in plan.fixed and c not in ("5.1", "5.2")]
    while deficit > 0:
        cut = rng.choice([s for s in plan.steps if s <= deficit] or [deficit])
        room = [c for c, m in free if current[c] - cut >= m * Decimal("0.6")]
        code = rng.choice(room)
        current[code] -= cut
        deficit -= cut
    for code, _m, kind in leaves:
        if code in plan.fixed:
            scores[code] = plan.fixed[code]
        elif kind == "điểm":
            scores[code] = current[code]
        else:
            scores[code] = Decimal(0)
    for code, value in (changes or {}).items():
        scores[code] = value
    return scores


def planned_totals(plan: UnitPlan, changes: dict[str, Any] | None = None) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(base, bonus, deduction, total) of the file the unit sends, in exact decimals."""
    scores = planned_scores(plan, changes)
    sums = {"điểm": Decimal(0), "thưởng": Decimal(0), "trừ": Decimal(0)}
    for code, _m, kind in criteria():
        sums[kind] += _value(scores[code])
    base, bonus, ded = sums["điểm"], sums["thưởng"], sums["trừ"]
    return base, bonus, ded, base + bonus - ded


def expected_totals() -> dict[str, Decimal]:
    """Total of the file used, per unit that should be ranked."""
    return {p.code: planned_totals(p)[3] for p in PLAN if p.expect == "ranked"}


# Writing the files -----------------------------------------------------------------------


def _cells(ws, headers: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """code -> row, label -> column, found by the header row (as a user finds them)."""

    def norm(v: object) -> str:
        return unicodedata.normalize("NFC", str(v if v is not None else "")).strip()

    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=80, values_only=True), start=1):
        cols = {norm(v): c for c, v in enumerate(row, start=1) if v is not None}
        if all(h in cols for h in headers):
            rows = {}
            for rr in range(r + 1, ws.max_row + 1):
                code = norm(ws.cell(rr, cols[headers[0]]).value)
                if code:
                    rows[code] = rr
            return rows, {h: cols[h] for h in headers}
    raise RuntimeError(f"header {headers} not found in {ws.title}")


def _score_cell(value: Any) -> Any:
    """What lands in the cell: whole numbers as int, decimals as float, text as typed."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def fill(template: Path, out: Path, scores: dict[str, Any], notes: dict[str, str], data: dict[str, Any]) -> None:
    import openpyxl

    from thidua_xlsx.core import labels as L

    wb = openpyxl.load_workbook(template)
    ws = wb[L.SHEET_SCORES]
    rows, cols = _cells(ws, L.SCORE_HEADERS)
    for code, value in scores.items():
        ws.cell(rows[code], cols[L.S_SCORE]).value = _score_cell(value)
    for code, text in notes.items():
        ws.cell(rows[code], cols[L.S_NOTE]).value = text
    ws = wb[L.SHEET_DATA]
    rows, cols = _cells(ws, L.DATA_HEADERS)
    for code, value in data.items():
        ws.cell(rows[code], cols[L.D_VALUE]).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def libreoffice_resave(src: Path, out: Path, *, timeout: int = 180) -> None:
    """Open `src` in LibreOffice Calc (headless, private profile) and save it as .xlsx to `out`."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("Cần LibreOffice (soffice) để tạo tệp mẫu được lưu lại bằng LibreOffice.")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile, tempfile.TemporaryDirectory() as outdir:
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            outdir,
            str(src),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env=dict(os.environ, HOME=profile))
        made = Path(outdir) / (src.stem + ".xlsx")
        if not made.exists():
            raise RuntimeError(f"LibreOffice did not write {made}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), out)


_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
_TOTAL_TIME = re.compile(rb"<TotalTime>\d+</TotalTime>")


def normalise(path: Path, when: dt.datetime) -> None:
    """Make a saved .xlsx byte-stable: fixed zip entry times and fixed document dates."""
    stamp = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMPS.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            if info.filename == "docProps/app.xml":
                data = _TOTAL_TIME.sub(b"<TotalTime>0</TotalTime>", data)
            item = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            dst.writestr(item, data)
    path.write_bytes(buf.getvalue())


def _stamp(path: Path, when: dt.datetime) -> None:
    t = when.timestamp()
    os.utime(path, (t, t))


KHOI_TIME = _t(2, 7, 30)
FOLDER_TIME = _t(30, 17, 0)


def file_times() -> dict[str, dt.datetime]:
    """Path inside inbox/ -> when the unit sent it (the file's modification time)."""
    times = {unicodedata.normalize("NFC", r.name): r.sent for p in PLAN for r in p.returns}
    return times | {unicodedata.normalize("NFC", d.name): d.sent for d in DOCUMENTS}


def _pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with a few lines of text (ASCII): the shape of a signed scan's file."""
    text = "".join(f"BT /F1 12 Tf 72 {770 - 18 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("ascii") + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(width: int = 120, height: int = 170) -> bytes:
    """A small grey page, as a phone photo of a report is (a PNG: the standard library writes it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(230 - (x + y) % 9 for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _report_docx(path: Path, unit_name: str, leader_name: str, when: dt.datetime) -> None:
    """A unit's year-end report in Word, headed as offices head one: the district, the unit,
    the title, the addressee (the bloc leader: not the sender)."""
    import docx

    doc = docx.Document()
    for text in ("UBND HUYỆN Ý YÊN", unit_name.upper(), "Số: 45/BC-YT", "BÁO CÁO",
                 "Tổng kết công tác thi đua, khen thưởng năm 2024",
                 f"Kính gửi: {leader_name} (Khối trưởng khối thi đua)",
                 "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ",
                 "1. Đơn vị đã hoàn thành các chỉ tiêu được giao, phối hợp với các phòng chuyên môn."):  # fmt: skip
        doc.add_paragraph(text)
    doc.core_properties.author = unit_name
    doc.save(str(path))
    normalise(path, when)


def write_documents(inbox: Path, bloc: Any) -> None:
    """The reports units send with their tables (`DOCUMENTS`)."""
    names = {u.code: u.name for u in bloc.units}
    leader = next((u.name for u in bloc.units if u.code == "GDDT"), "Khối trưởng")
    for d in DOCUMENTS:
        target = inbox / unicodedata.normalize("NFC", d.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".docx":
            assert d.unit is not None
            _report_docx(target, names[d.unit], leader, d.sent)
        elif target.suffix == ".png":
            target.write_bytes(_png())
        else:
            who = d.unit or ""
            target.write_bytes(
                _pdf([f"Bao cao tong ket cong tac thi dua, khen thuong nam 2024 - {who}", "(ban ky, dong dau)"])
            )


def stamp_times(out_dir: Path | str = HERE) -> None:
    """Set the planned modification times on out_dir/khoi.xlsx and the files of out_dir/inbox/.

    Only for the look of a fresh build ('Tình hình nộp' shows them where a workbook records no
    saved time): which file is newer comes from the time each workbook records (`normalise`),
    which git keeps, unlike file times.
    """
    out_dir = Path(out_dir)
    inbox = out_dir / "inbox"
    for name, when in file_times().items():
        _stamp(inbox / name, when)
    for folder in sorted((p for p in inbox.rglob("*") if p.is_dir()), reverse=True):
        _stamp(folder, FOLDER_TIME)
    _stamp(inbox, FOLDER_TIME)
    _stamp(out_dir / "khoi.xlsx", KHOI_TIME)


def build(out_dir: Path | str = HERE) -> Path:
    """Write out_dir/khoi.xlsx and out_dir/inbox/ afresh; return the inbox."""
    from thidua_xlsx.bloc.load import load_bloc
    from thidua_xlsx.writers.bloc_book import write_bloc_workbook
    from thidua_xlsx.writers.template import template_name, write_template

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    khoi = write_bloc_workbook(out_dir / "khoi.xlsx", force=True)
    normalise(khoi, KHOI_TIME)
    bloc = load_bloc(khoi)
    units = {u.code: u for u in bloc.units}
    if sorted(units) != sorted(p.code for p in PLAN):
        raise RuntimeError("PLAN does not cover exactly the units of the default bloc")

    inbox = out_dir / "inbox"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir()
    with tempfile.TemporaryDirectory(prefix="thidua-samples-") as tmp:
        for plan in PLAN:
            if not plan.returns:
                continue
            template = Path(tmp) / template_name(units[plan.code])
            write_template(bloc, units[plan.code], template, generated_at=GENERATED_AT)
            for ret in plan.returns:
                target = inbox / unicodedata.normalize("NFC", ret.name)
                scores = planned_scores(plan, ret.changes)
                notes = plan.notes if ret.notes is None else ret.notes
                if ret.libreoffice:
                    filled = Path(tmp) / f"{plan.code}-filled.xlsx"
                    fill(template, filled, scores, notes, plan.data)
                    libreoffice_resave(filled, target)
                else:
                    fill(template, target, scores, notes, plan.data)
                normalise(target, ret.sent)
    write_documents(inbox, bloc)
    stamp_times(out_dir)
    return inbox


USAGE = """Cách dùng: python samples/make_samples.py [THƯ_MỤC]

Ghi THƯ_MỤC/khoi.xlsx và THƯ_MỤC/inbox/ (mặc định: thư mục samples/ chứa tệp này)."""


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    flags = [a for a in argv[1:] if a.startswith("-")]
    if any(f not in ("-h", "--help") for f in flags) or len(args) > 1:
        print(USAGE, file=sys.stderr)
        return 2
    if "-h" in flags or "--help" in flags:
        print(USAGE)
        return 0
    out = Path(args[0]) if args else HERE
    inbox = build(out)
    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    print(f"Đã ghi {out.resolve() / 'khoi.xlsx'} và {len(files)} tệp trong {inbox}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
