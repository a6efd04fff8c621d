"""Fuzzing: a valid return with its bytes flipped, cut or padded, or with the XML inside it
mangled, never makes collect raise, and the file is always listed exactly once."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from helpers import fill, full_scores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua_xlsx.intake.reader import zip_entries
from thidua_xlsx.ranking.assemble import collect

SETTINGS = settings(
    max_examples=int(os.environ.get("THIDUA_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),  # CI reruns the same cases; locally each run explores
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def valid(default_bloc, default_templates, tmp_path_factory) -> bytes:
    _, bloc = default_bloc
    out = tmp_path_factory.mktemp("fuzz") / "VHTT.xlsx"
    return fill(default_templates["VHTT"], out, full_scores(bloc, "0.9")).read_bytes()


# A hang must fail the file in seconds here, not in the two minutes users get.
TIMEOUT = 20


def mutate(data: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, where, value in edits:
        at = where % (len(out) + 1)
        if kind == "flip" and out:
            out[at % len(out)] ^= 1 << (value % 8)
        elif kind == "set" and out:
            out[at % len(out)] = value % 256
        elif kind == "insert":
            out[at:at] = bytes([value % 256]) * (1 + value % 7)
        elif kind == "delete":
            del out[at : at + 1 + value % 64]
        elif kind == "truncate":
            del out[at:]
    return bytes(out)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "set", "insert", "delete", "truncate"]),
        st.integers(min_value=0, max_value=1 << 20),
        st.integers(min_value=0, max_value=255),
    ),
    min_size=1,
    max_size=6,
)


def collect_one(bloc, name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        (inbox / name).write_bytes(data)
        report = collect(inbox, bloc, shown_as="inbox", timeout=TIMEOUT)
    listed = [f for f in report.files if f.path == f"inbox/{name}"]
    assert len(listed) == 1 and len(report.files) == 1
    assert len(report.units) == len(bloc.units)
    if not listed[0].used:
        assert [i for i in report.issues if i.file == f"inbox/{name}" and i.severity.value == "error"]


@SETTINGS
@given(edits=EDITS)
def test_mutated_bytes_never_break_collect(valid, default_bloc, edits) -> None:
    data = mutate(valid, edits)
    entries = zip_entries(lambda off, n: data[off : off + n], len(data))  # never raises: a list or None
    if entries is not None:  # what it does read agrees with zipfile's reading of the same bytes
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
            infos = None
        if infos is not None:
            assert [(e.flags, e.packed, e.size) for e in entries] == [
                (i.flag_bits, i.compress_size, i.file_size) for i in infos
            ]
    collect_one(default_bloc[1], "VHTT.xlsx", data)


@SETTINGS
@given(part=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"]), edits=EDITS)
def test_mutated_xml_inside_the_package_never_breaks_collect(valid, default_bloc, part, edits) -> None:
    """The zip stays valid and only the XML is damaged, so the parser itself is exercised."""
    src = zipfile.ZipFile(io.BytesIO(valid))
    names = src.namelist()
    target = part if part in names else next(n for n in names if n.startswith("xl/worksheets/"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in names:
            data = src.read(n)
            dst.writestr(n, mutate(data, edits) if n == target else data)
    collect_one(default_bloc[1], "VHTT.xlsx", buf.getvalue())


@SETTINGS
@given(edits=EDITS)
def test_mutated_archive_never_breaks_collect(valid, default_bloc, edits) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Phòng Văn hóa/VHTT.xlsx", valid)
    data = mutate(buf.getvalue(), edits)
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        (inbox / "gui.zip").write_bytes(data)
        report = collect(inbox, default_bloc[1], shown_as="inbox", timeout=TIMEOUT)
    paths = [f.path for f in report.files]
    assert "inbox/gui.zip" in paths and len(paths) == len(set(paths))
