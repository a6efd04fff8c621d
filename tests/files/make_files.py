"""Build the corpus of small broken and hostile files the tests read (tests/test_hostile.py).

Re-runnable and deterministic: `python tests/files/make_files.py` rewrites every file below
byte for byte. The generated files are committed so the tests need nothing but this folder.
Each file is tiny; the attacks they carry (a 2 GB declared size, entity expansion, a sheet
spanning a million rows) are in their headers and structure, not in their size.

Also imported by the tests for builders too big to commit (a real 2 GB zip bomb).
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
WHEN = (2024, 12, 20, 8, 0, 0)  # fixed member times: the same bytes on every run

# A minimal SpreadsheetML package ----------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Tự chấm điểm" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_NAME = "xl/worksheets/sheet1.xml"


def sheet_xml(cells: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )


def shared_strings_xml(items: list[str], doctype: str = "") -> str:
    body = "".join(f"<si><t>{t}</t></si>" for t in items)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{body}</sst>'
    )


def _member(zf: zipfile.ZipFile, name: str, data: str | bytes, method: int = zipfile.ZIP_DEFLATED) -> None:
    info = zipfile.ZipInfo(name, WHEN)
    info.compress_type = method
    zf.writestr(info, data)


def xlsx_bytes(sheet: str | bytes | None = None, strings: str | None = None) -> bytes:
    """A one-sheet workbook that calamine reads (A1 = "Mã" unless `sheet` says otherwise)."""
    parts = xlsx_parts(strings)
    return zip_bytes([*parts[:4], (SHEET_NAME, sheet if sheet is not None else sheet_xml(_A1_TEXT)), parts[4]])


_A1_TEXT = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


def zip_bytes(members: list[tuple[str, bytes | str]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            _member(zf, name, data)
    return buf.getvalue()


def patch_zip(data: bytes, name: str, *, size: int | None = None, flags: int = 0, method: int | None = None) -> bytes:
    """Rewrite a member's declared size, flag bits or method in its local and central headers
    (what a hand-made zip bomb or a lying archive does)."""
    out = bytearray(data)
    raw = name.encode()
    for sig, name_len_at, name_at, size_at, flag_at, method_at in (
        (b"PK\x03\x04", 26, 30, 22, 6, 8),
        (b"PK\x01\x02", 28, 46, 24, 8, 10),
    ):
        i = out.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", out, i + name_len_at)[0]
            if out[i + name_at : i + name_at + n] == raw:
                if size is not None:
                    struct.pack_into("<I", out, i + size_at, size)
                if flags:
                    struct.pack_into("<H", out, i + flag_at, struct.unpack_from("<H", out, i + flag_at)[0] | flags)
                if method is not None:
                    struct.pack_into("<H", out, i + method_at, method)
            i = out.find(sig, i + 4)
    return bytes(out)


# A real zip bomb, built in milliseconds ---------------------------------------------------


def write_zip_bomb(
    path: Path, inner_name: str, size: int = 2 * 1024**3, *, others: list[tuple[str, bytes | str]] = ()
) -> Path:
    """A valid zip whose member `inner_name` really unpacks to `size` zero bytes (a multiple of
    1 MiB), after the small members `others` (to make a workbook whose sheet is the bomb).

    Deflate blocks ended by a full flush do not depend on what came before, so one
    compressed megabyte of zeros repeated is a correct stream: about 1 KB per MiB on disk.
    """
    mib = 1024**2
    assert size % mib == 0
    zeros = bytes(mib)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    count = size // mib
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    dos_time = (WHEN[3] << 11) | (WHEN[4] << 5)
    dos_date = ((WHEN[0] - 1980) << 9) | (WHEN[1] << 5) | WHEN[2]
    central = b""
    with open(path, "wb") as fh:

        def member(name: str, crc: int, packed: int, unpacked: int, chunks) -> None:
            nonlocal central
            raw = name.encode()
            offset = fh.tell()
            fh.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, dos_time, dos_date, crc, packed, unpacked,
                                 len(raw), 0) + raw)  # fmt: skip
            for chunk in chunks:
                fh.write(chunk)
            central += struct.pack(
                "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, dos_time, dos_date, crc, packed, unpacked,
                len(raw), 0, 0, 0, 0, 0, offset,
            ) + raw  # fmt: skip

        for name, data in others:
            data = data.encode() if isinstance(data, str) else data
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = c.compress(data) + c.flush()
            member(name, zlib.crc32(data), len(packed), len(data), [packed])
        member(inner_name, crc, len(block) * count + len(tail), size, [*([block] * count), tail])
        cd_offset = fh.tell()
        fh.write(central)
        entries = len(others) + 1
        fh.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries, entries, len(central), cd_offset, 0))
    return path


def xlsx_parts(strings: str | None = None) -> list[tuple[str, str]]:
    """The parts of a one-sheet workbook other than its sheet."""
    return [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/sharedStrings.xml", strings if strings is not None else shared_strings_xml(["Mã"])),
    ]


# OLE compound files ------------------------------------------------------------------------


def ole_bytes(streams: list[tuple[str, bytes]]) -> bytes:
    """A compound file (512-byte sectors) holding `streams`, each padded to 4096 bytes so
    that none lives in the mini stream. Enough for Excel's encrypted packages and BIFF."""
    ss, end, free, fat_mark = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    padded = [(n, d + bytes(max(0, 4096 - len(d)))) for n, d in streams]
    padded = [(n, d + bytes(-len(d) % ss)) for n, d in padded]
    n_dir = (len(padded) + 1 + 3) // 4
    data_sectors = sum(len(d) // ss for _, d in padded)
    fat: list[int] = [fat_mark]  # sector 0 is the FAT itself
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(n_dir - 1)] + [end]
    starts = []
    for _, d in padded:
        start, count = len(fat), len(d) // ss
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [end]
    assert len(fat) <= ss // 4, "one FAT sector is enough for the corpus"
    fat += [free] * (ss // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = free, right: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return struct.pack(
            "<64sHBBIII16sIQQIII", raw, len(raw), kind, 1, free, right, child, bytes(16), 0, 0, 0, start, size, 0
        )

    entries = [entry("Root Entry", 5, end, 0, child=1 if padded else free)]
    for i, ((name, _), start) in enumerate(zip(padded, starts, strict=True)):
        size = len(next(d for n, d in streams if n == name))
        entries.append(entry(name, 2, start, max(size, 4096), right=i + 2 if i + 1 < len(padded) else free))
    directory = b"".join(entries)
    directory += bytes(n_dir * ss - len(directory))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6,
        bytes(6), 0, 1, dir_start, 0, 4096, end, 0, end, 0,
    )  # fmt: skip
    header += struct.pack("<109I", 0, *([free] * 108))
    body = struct.pack(f"<{ss // 4}I", *fat) + directory + b"".join(d for _, d in padded)
    assert len(body) == (1 + n_dir + data_sectors) * ss
    return header + body


def biff_record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff_with_filepass() -> bytes:
    """A BIFF8 workbook stream encrypted with RC4 (FILEPASS right after BOF), as Excel writes
    when a password to open is set on an .xls."""
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x000080C9, 0x00000206))
    rng = random.Random(97)
    filepass = biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(rng.randrange(256) for _ in range(48)))
    return bof + filepass + biff_record(0x000A)


def _rc4(key: bytes, data: bytes) -> bytes:
    box, j = list(range(256)), 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    i = j = 0
    out = []
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def biff_encrypted_with(password: str, *, cryptoapi: bool, seed: int) -> bytes:
    """A BIFF8 stream whose FILEPASS verifier opens with `password`. Excel writes this with
    "VelvetSweatshop" for an .xls that has only a password to modify ([MS-OFFCRYPTO] 2.3.5-2.3.6)."""
    rng = random.Random(seed)
    salt, verifier = rng.randbytes(16), rng.randbytes(16)
    secret = password.encode("utf-16-le")
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x000080C9, 0x00000206))
    if cryptoapi:
        key = hashlib.sha1(hashlib.sha1(salt + secret).digest() + bytes(4)).digest()[:16]  # 128-bit
        sealed = _rc4(key, verifier + hashlib.sha1(verifier).digest())
        csp = "Microsoft Enhanced Cryptographic Provider v1.0\0".encode("utf-16-le")
        header = struct.pack("<8I", 0x04, 0, 0x6801, 0x8004, 128, 1, 0, 0) + csp
        body = struct.pack("<HHHII", 1, 4, 2, 0x04, len(header)) + header
        body += struct.pack("<I", 16) + salt + sealed[:16] + struct.pack("<I", 20) + sealed[16:]
    else:
        h1 = hashlib.md5((hashlib.md5(secret).digest()[:5] + salt) * 16).digest()[:5]
        sealed = _rc4(hashlib.md5(h1 + bytes(4)).digest(), verifier + hashlib.md5(verifier).digest())
        body = struct.pack("<HHH", 1, 1, 1) + salt + sealed
    return bof + biff_record(0x002F, body) + biff_record(0x000A)


# The corpus --------------------------------------------------------------------------------

LOL = (
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def corpus() -> dict[str, bytes]:
    rng = random.Random(2024)
    good = xlsx_bytes()
    out: dict[str, bytes] = {}
    # Broken and truncated
    out["truncated.xlsx"] = good[: len(good) // 2]
    out["truncated.zip"] = zip_bytes([("VHTT.xlsx", good)])[:300]
    out["not-a-zip.zip"] = b"this is not an archive, just words\r\n" * 4
    out["empty.xlsx"] = b""
    out["garbage.xlsx"] = bytes(rng.randrange(256) for _ in range(3000))
    out["corrupt-ole.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(2000))
    # Other things under a spreadsheet extension
    out["html-saved-as.xls"] = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        "<head><meta charset='utf-8'></head><body><table><tr><td>Mã</td><td>Điểm tự chấm</td></tr>"
        "<tr><td>1.1</td><td>15</td></tr></table></body></html>"
    ).encode()
    out["csv-saved-as.xlsx"] = "Mã,Nội dung tiêu chí,Điểm tối đa,Điểm tự chấm\r\n1.1,Tham mưu,15,14\r\n".encode()
    out["utf16-text-saved-as.xls"] = "Mã\tĐiểm tự chấm\r\n1.1\t15\r\n".encode("utf-16")
    out["spreadsheetml-2003.xls"] = (
        b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"/></Workbook>'
    )
    out["mhtml-saved-as.xls"] = b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="x"\r\n\r\n--x--\r\n'
    out["pdf-renamed.xls"] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    out["docx-renamed.xlsx"] = zip_bytes(
        [("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"), ("_rels/.rels", "<r/>")]
    )
    out["word-97-renamed.xls"] = ole_bytes([("WordDocument", b"\xec\xa5" + bytes(600)), ("1Table", bytes(600))])
    # Passwords to open
    out["encrypted-ooxml.xlsx"] = ole_bytes(
        [
            ("EncryptionInfo", struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'),
            ("EncryptedPackage", struct.pack("<Q", 9000) + bytes(rng.randrange(256) for _ in range(4096))),
        ]
    )
    out["encrypted-filepass.xls"] = ole_bytes([("Workbook", biff_with_filepass())])
    out["modify-password.xls"] = ole_bytes(
        [("Workbook", biff_encrypted_with("VelvetSweatshop", cryptoapi=False, seed=1))]
    )
    out["modify-password-cryptoapi.xls"] = ole_bytes(
        [("Workbook", biff_encrypted_with("VelvetSweatshop", cryptoapi=True, seed=2))]
    )
    out["open-password-cryptoapi.xls"] = ole_bytes(
        [("Workbook", biff_encrypted_with("matkhau", cryptoapi=True, seed=3))]
    )
    out["encrypted.ods"] = zip_bytes(
        [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            (
                "META-INF/manifest.xml",
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                '<manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry>'
                "</manifest:manifest>",
            ),
            ("content.xml", bytes(rng.randrange(256) for _ in range(500))),
        ]
    )
    out["zip-password.zip"] = patch_zip(zip_bytes([("VHTT.xlsx", good)]), "VHTT.xlsx", flags=0x1)
    # XML attacks: calamine must neither expand entities nor fetch external ones
    out["billion-laughs-strings.xlsx"] = xlsx_bytes(strings=shared_strings_xml(["&lol9;"], LOL))
    out["billion-laughs-sheet.xlsx"] = xlsx_bytes(
        sheet=sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', LOL)
    )
    out["external-entity.xlsx"] = xlsx_bytes(
        sheet=sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>', XXE)
    )
    # Size attacks
    out["sparse-sheet.xlsx"] = xlsx_bytes(
        sheet=sheet_xml(_A1_TEXT + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    )
    out["tall-sheet.xlsx"] = xlsx_bytes(sheet=sheet_xml(_A1_TEXT + '<row r="25000"><c r="A25000"><v>1</v></c></row>'))
    out["wide-sheet.xlsx"] = xlsx_bytes(
        sheet=sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="GZZ1"><v>1</v></c></row>')
    )
    out["declared-2gb.xlsx"] = patch_zip(good, SHEET_NAME, size=2 * 1024**3)
    out["declared-2gb.zip"] = patch_zip(zip_bytes([("VHTT.xlsx", good)]), "VHTT.xlsx", size=2 * 1024**3)
    out["ratio-bomb.xlsx"] = xlsx_bytes(sheet=sheet_xml("") + " " * (24 * 1024**2))
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 201))
    out["lying-size.xlsx"] = patch_zip(xlsx_bytes(sheet=sheet_xml(rows)), SHEET_NAME, size=1000)
    out["lying-member.zip"] = patch_zip(zip_bytes([("VHTT.xlsx", good)]), "VHTT.xlsx", size=100)
    # Archives that cannot be opened here
    deep = good
    for depth in range(4):
        deep = zip_bytes([(f"lop{depth}.zip" if depth else "VHTT.xlsx", deep)])
    out["nested-too-deep.zip"] = deep
    out["rar-renamed.zip"] = b"Rar!\x1a\x07\x01\x00" + bytes(rng.randrange(256) for _ in range(200))
    out["return.rar"] = b"Rar!\x1a\x07\x01\x00" + bytes(rng.randrange(256) for _ in range(200))
    out["deflate64.zip"] = patch_zip(zip_bytes([("VHTT.xlsx", good)]), "VHTT.xlsx", method=9)
    # Passed over, not read
    out["~$owner-file.xlsx"] = b"\x0bNguyen Van A" + bytes(150)
    out[".hidden.xlsx"] = good
    out["Thumbs.db"] = bytes(64)
    out["desktop.ini"] = b"[.ShellClassInfo]\r\n"
    out["ghi-chu.txt"] = "Đơn vị gửi kèm báo cáo.\n".encode()
    return out


def main() -> None:
    files = corpus()
    keep = {Path(__file__).name, "README.md"}
    for old in HERE.iterdir():
        if old.is_file() and old.name not in keep and old.name not in files:
            old.unlink()
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    print(f"{len(files)} files written to {HERE}")


if __name__ == "__main__":
    main()
