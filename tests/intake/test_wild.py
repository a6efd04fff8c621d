"""Every real-world and fuzz-found spreadsheet of python-calamine's own test suite, dropped into
one inbox: collect finishes, lists each file once, explains each one, in bounded time and memory.

The files are a copy in tests/wild/calamine/ (see its README; THIDUA_WILD overrides).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

WILD = Path(os.environ.get("THIDUA_WILD", ROOT / "tests" / "wild" / "calamine"))

pytestmark = pytest.mark.skipif(not WILD.is_dir(), reason=f"no wild corpus at {WILD}")

# Run collect in a child process and report the largest resident set of that process tree.
MEASURE = """
import json, resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": r.returncode, "out": r.stdout[-3000:], "err": r.stderr[-3000:],
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@pytest.fixture(scope="module")
def wild_run(default_bloc, tmp_path_factory) -> tuple[dict, dict, list[str]]:
    config, _ = default_bloc
    work = tmp_path_factory.mktemp("wild")
    inbox = work / "inbox"
    shutil.copytree(WILD, inbox)
    for p in inbox.rglob("*"):  # the shared copy is read-only; ours need not be
        p.chmod(0o644 if p.is_file() else 0o755)
    names = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    cmd = [sys.executable, "-m", "thidua_xlsx.cli", "collect", str(inbox), "--config", str(config)]
    cmd += ["--out", str(work / "xh.xlsx"), "--json", str(work / "r.json"), "--quiet"]
    # The subprocess's timeout is the watchdog: a run that hangs fails here; its speed is the benchmark's.
    done = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, timeout=600)
    measured = json.loads(done.stdout)
    report = json.loads((work / "r.json").read_text(encoding="utf-8"))
    return measured, report, names


def test_collect_finishes_without_a_traceback(wild_run) -> None:
    measured, _, names = wild_run
    assert len(names) >= 100
    assert measured["rc"] == 1, measured["err"]
    assert "Traceback" not in measured["out"] + measured["err"]


def test_memory_stays_bounded(wild_run) -> None:
    """The largest process of the run (the CLI or one of its workers) stays small: the files
    that would make calamine allocate gigabytes are refused or cost only their worker."""
    measured = wild_run[0]
    assert measured["maxrss_kb"] < 700 * 1024, f"{measured['maxrss_kb'] // 1024} MB"


def test_every_file_is_listed_exactly_once(wild_run) -> None:
    _, report, names = wild_run
    listed = [f["path"].split("/inbox/", 1)[1] for f in report["files"]]
    assert sorted(listed) == names


def test_every_file_is_explained_with_an_error(wild_run) -> None:
    """None of these is a return of the bloc: each gets at least one error, in Vietnamese."""
    _, report, names = wild_run
    by_file: dict[str, list[dict]] = {}
    for issue in report["issues"]:
        if issue["file"]:
            by_file.setdefault(issue["file"].split("/inbox/", 1)[1], []).append(issue)
    for name in names:
        errors = [i for i in by_file.get(name, []) if i["severity"] == "error"]
        assert errors, name
        assert all(any(ch in i["message"] for ch in "ệạảờư") for i in errors), errors
    assert all(u["status"] == "missing" for u in report["units"])


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("pass_protected.xlsx", "file-password"),
        ("pass_protected.xlsb", "file-password"),
        ("pass_protected.ods", "file-password"),
        ("issue_385.xls", "file-password-modify"),  # Excel's built-in password (VelvetSweatshop)
        ("too_small.xls", "file-not-spreadsheet"),
        ("issue_594_dos.ods", "file-too-large"),  # past calamine's cell limit: said in Vietnamese, no "Cell limit"
        ("OOM_alloc3.xls", "file-unreadable"),
    ],
)
def test_known_hostile_files(wild_run, name: str, code: str) -> None:
    _, report, names = wild_run
    if name not in names:
        pytest.skip(f"{name} is not in this corpus")
    hits = [i for i in report["issues"] if (i["file"] or "").endswith(f"/inbox/{name}")]
    assert [i["code"] for i in hits] == [code], hits
