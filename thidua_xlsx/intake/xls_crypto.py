"""Is an encrypted .xls locked only with Excel's built-in password?

Excel encrypts an .xls that has a password to modify (or a protected workbook structure) with
the fixed password "VelvetSweatshop", and opens it without asking. calamine cannot decrypt
it, so it must be refused either way; telling it from a real password to open lets the
message say what the clerk actually did. Only the FILEPASS record's verifier is checked
([MS-XLS] 2.4.117; [MS-OFFCRYPTO] 2.3.6 RC4 and 2.3.5 RC4 CryptoAPI): a few hashes, nothing
of the workbook is decrypted.
"""

from __future__ import annotations

import hashlib
import struct

DEFAULT_PASSWORD = "VelvetSweatshop"
_BOF, _FILEPASS = 0x0809, 0x002F


def filepass_record(stream_head: bytes) -> bytes | None:
    """The FILEPASS record's data among the first records of a BIFF8 Workbook stream."""
    pos = 0
    for _ in range(8):  # it follows the BOF at once; a few records of slack
        if pos + 4 > len(stream_head):
            return None
        kind, size = struct.unpack_from("<HH", stream_head, pos)
        if pos == 0 and kind != _BOF:
            return None
        if kind == _FILEPASS:
            data = stream_head[pos + 4 : pos + 4 + size]
            return data if len(data) == size else None
        pos += 4 + size
    return None


def rc4(key: bytes, data: bytes) -> bytes:
    """RC4 (its own inverse). Used on a few dozen bytes only."""
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) & 0xFF])
    return bytes(out)


def _rc4_keys(salt: bytes, password: str) -> list[bytes]:
    """RC4 (MD5) key of block 0 ([MS-OFFCRYPTO] 2.3.6.2)."""
    h0 = hashlib.md5(password.encode("utf-16-le")).digest()[:5]
    h1 = hashlib.md5((h0 + salt) * 16).digest()[:5]
    return [hashlib.md5(h1 + struct.pack("<I", 0)).digest()]


def _cryptoapi_keys(salt: bytes, password: str, key_bits: int) -> list[bytes]:
    """RC4 CryptoAPI (SHA-1) key of block 0 ([MS-OFFCRYPTO] 2.3.5.2); a 40-bit key is used
    both bare and padded to 128 bits with zeros, as writers differ."""
    h0 = hashlib.sha1(salt + password.encode("utf-16-le")).digest()
    final = hashlib.sha1(h0 + struct.pack("<I", 0)).digest()
    bits = key_bits or 40
    key = final[: bits // 8]
    return [key, key + bytes(11)] if bits == 40 else [key]


def opens_with(filepass: bytes, password: str = DEFAULT_PASSWORD) -> bool:
    """Does `password` open this RC4-encrypted .xls? (False for anything not understood.)"""
    if len(filepass) < 6:
        return False
    kind, major, minor = struct.unpack_from("<HHH", filepass, 0)
    if kind != 1:  # XOR obfuscation: no verifier worth checking
        return False
    if (major, minor) == (1, 1) and len(filepass) >= 54:
        salt, sealed, hash_size = filepass[6:22], filepass[22:54], 16
        keys = _rc4_keys(salt, password)
        digest = hashlib.md5
    elif minor == 2 and major in (2, 3, 4) and len(filepass) >= 14:
        header_size = struct.unpack_from("<I", filepass, 10)[0]
        header = filepass[14 : 14 + header_size]
        verifier = filepass[14 + header_size :]
        if len(header) < 20 or len(verifier) < 40:
            return False
        key_bits = struct.unpack_from("<I", header, 16)[0]
        salt_size = struct.unpack_from("<I", verifier, 0)[0]
        if salt_size != 16:
            return False
        salt, hash_size = verifier[4:20], struct.unpack_from("<I", verifier, 36)[0]
        sealed = verifier[20:36] + verifier[40 : 40 + hash_size]
        if hash_size != 20 or len(sealed) != 36 or key_bits % 8 or not 40 <= (key_bits or 40) <= 128:
            return False
        keys = _cryptoapi_keys(salt, password, key_bits)
        digest = hashlib.sha1
    else:
        return False
    for key in keys:
        plain = rc4(key, sealed)
        if digest(plain[:16]).digest()[:hash_size] == plain[16 : 16 + hash_size]:
            return True
    return False
