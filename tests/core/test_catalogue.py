"""The documented table of issue codes (docs/ma-loi.md) stays in step with the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import ROOT, TESTS

from thidua_xlsx.core.issues import CATALOGUE, Code

DOC = ROOT / "docs" / "ma-loi.md"


def documented() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([a-z0-9-]+)` \| (.+?) \| (.+?) \| (.+?) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    return rows


def test_every_code_is_documented_exactly() -> None:
    doc = documented()
    assert set(doc) == set(CATALOGUE), f"missing: {set(CATALOGUE) - set(doc)}, stale: {set(doc) - set(CATALOGUE)}"
    for code, kind in CATALOGUE.items():
        assert doc[code] == (kind.severity.label, kind.meaning, kind.fix), code


def test_every_code_has_one_catalogue_entry() -> None:
    assert list(CATALOGUE) == list(Code)
    assert all(kind.code is code for code, kind in CATALOGUE.items())


def test_codes_are_stable_kebab_case_with_vietnamese_text() -> None:
    for code, kind in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code), code
        for text in (kind.meaning, kind.fix, kind.template.replace("{detail}", "") or "đủ"):
            assert re.search(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", text), text


def test_every_code_has_a_test_that_triggers_it() -> None:
    """Each code appears, quoted, in some test other than this one (a guard, not a proof)."""
    tests = [p for p in TESTS.rglob("test_*.py") if p.name != Path(__file__).name]
    texts = "\n".join(p.read_text(encoding="utf-8") for p in tests)
    untested = [code for code in CATALOGUE if f'"{code}"' not in texts]
    assert not untested, f"no test mentions: {untested}"
