"""Every way a unit saves: a return filled with openpyxl, then re-saved by LibreOffice as .xlsx,
.xls and .ods (and .ods back to .xlsx), reads to the same scores, data and problems.

LibreOffice runs headless, once per target format for all files (a start costs seconds).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from helpers import GOOD_DATA, expected_total, fill, full_scores, lo_batch, read

from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.report import Status
from thidua_xlsx.intake.returns import Evidence, ReturnData
from thidua_xlsx.ranking.assemble import collect

pytestmark = pytest.mark.libreoffice


def awkward_scores(bloc, seed: int) -> dict[str, object]:
    """Scores with decimals binary floating point cannot hold exactly (0.1, 2.3, 13.35 …)."""
    out: dict[str, object] = {}
    for i, c in enumerate(bloc.leaves):
        step = [Decimal("0.1"), Decimal("0.25"), Decimal("0.3"), Decimal("0.35"), Decimal("0.05")][(i + seed) % 5]
        value = c.max - step * ((i + seed) % 3) if c.kind is not Kind.DEDUCTION else Decimal("0.1") * ((i + seed) % 2)
        out[c.code] = float(max(value, Decimal(0)))
    return out


PLANS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def saved(default_bloc, default_templates, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Per unit: the openpyxl original and its LibreOffice re-saves, by label."""
    _, bloc = default_bloc
    work = tmp_path_factory.mktemp("lo")
    profile = work / "profile"
    originals: dict[str, Path] = {}
    plans = {
        "VHTT": (awkward_scores(bloc, 0), GOOD_DATA),
        "YT": (awkward_scores(bloc, 1), GOOD_DATA | {"TS": 37, "LDTT": 30, "CSTD": 4, "XLDV": "HTTNV"}),
        "TP": (full_scores(bloc, "0.9") | {bloc.leaves[0].code: "9,5"}, GOOD_DATA),  # text with a comma
        "NV": (full_scores(bloc, "0.8") | {bloc.leaves[1].code: bloc.leaves[1].max + 1}, GOOD_DATA),  # above max
    }
    for code, (scores, data) in plans.items():
        originals[code] = fill(default_templates[code], work / "goc" / f"{code}.xlsx", scores, data)
        PLANS[code] = scores
    srcs = list(originals.values())
    xls = lo_batch(srcs, "xls", work / "xls", profile)
    ods = lo_batch(srcs, "ods", work / "ods", profile)
    xlsx = lo_batch(srcs, "xlsx", work / "xlsx", profile)
    back = lo_batch(ods, "xlsx", work / "ods-xlsx", profile)
    out = {}
    for i, code in enumerate(plans):
        out[code] = {"openpyxl": srcs[i], "lo.xls": xls[i], "lo.ods": ods[i], "lo.xlsx": xlsx[i], "ods→xlsx": back[i]}
    return out


def _summary(r: ReturnData) -> tuple:
    problems = sorted((i.code, i.sheet, i.cell) for i in r.issues if i.severity is not Severity.INFO)
    return r.unit, r.identified_by, r.scores, r.data, problems


@pytest.mark.parametrize("label", ["lo.xls", "lo.ods", "lo.xlsx", "ods→xlsx"])
@pytest.mark.parametrize("code", ["VHTT", "YT", "TP", "NV"])
def test_libreoffice_resave_reads_the_same(saved, default_bloc, code: str, label: str) -> None:
    _, bloc = default_bloc
    original = read(saved[code]["openpyxl"], bloc)
    again = read(saved[code][label], bloc)
    assert _summary(again) == _summary(original)
    assert again.identified_by is Evidence.FORM


def test_awkward_decimals_total_exactly(saved, default_bloc) -> None:
    _, bloc = default_bloc
    for code in ("VHTT", "YT"):
        for label, path in saved[code].items():
            r = read(path, bloc)
            assert not r.errors, (code, label, [i.message for i in r.issues])
            assert bloc.totals(r.scores)[3] == expected_total(bloc, PLANS[code]), (code, label)
            assert all(v == v.quantize(Decimal("0.01")) for v in r.scores.values()), (label, r.scores)


def test_an_inbox_of_every_format_ranks_the_same(saved, default_bloc, tmp_path) -> None:
    """One unit per format in one inbox: ranked exactly as the openpyxl originals are."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    plan = {"VHTT": "lo.xls", "YT": "lo.ods", "TP": "ods→xlsx", "NV": "lo.xlsx"}
    for code, label in plan.items():
        src = saved[code][label]
        (inbox / f"{code}{src.suffix}").write_bytes(src.read_bytes())
    report = collect(inbox, bloc, shown_as="inbox")
    units = {u.code: u for u in report.units}
    for code in ("VHTT", "YT", "TP"):
        original = read(saved[code]["openpyxl"], bloc)
        assert units[code].status is Status.RANKED, units[code].note
        assert units[code].total == bloc.totals(original.scores)[3]
    assert units["NV"].status is Status.ERROR
    warned = [i.code for i in report.issues if i.unit == "TP" and i.severity is Severity.WARNING]
    assert warned == ["score-text-number", "report-missing"]  # no report was sent with the returns
