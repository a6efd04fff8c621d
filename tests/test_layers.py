"""The house's layers: a module imports only its own layer and the layers below it.

core → intake → bloc → ranking → writers → the command line (cli*.py and the package's face).
core imports nothing else of ours; only the command line imports click.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import thidua_xlsx

PACKAGE = Path(thidua_xlsx.__file__).parent
LAYERS = ["core", "intake", "bloc", "ranking", "writers"]
TOP = len(LAYERS)  # cli.py and the cli_*.py beside it, __init__.py


def layer_of(module: str) -> int:
    """Layer of a dotted module name inside the package."""
    parts = module.split(".")
    assert parts[0] == "thidua_xlsx", module
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    if len(parts) > 1 and parts[1] == "data":
        return 0  # package data, no code
    return TOP


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str) -> set[str]:
    """Every module named by an import in `source` (inside functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package[: len(package) - node.level + (1 if module.endswith("__init__") else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}  # `from pkg import module`
    return found


def violations(source: str, module: str) -> list[str]:
    """Imports of `module` that run the wrong way, or reach for click outside the command line."""
    own = layer_of(module)
    bad = []
    for name in sorted(imports(source, module)):
        if name == "click" or name.startswith("click."):
            if own != TOP:
                bad.append(f"{module} imports {name}: only the command line uses click")
        elif name.startswith("thidua_xlsx") and name != "thidua_xlsx":
            target = name.split(".")
            # `from thidua_xlsx.core import labels` names thidua_xlsx.core.labels: the layer is the same
            if layer_of(".".join(target[:2])) > own:
                bad.append(f"{module} imports {name}: {LAYERS[own] if own < TOP else 'cli'} is below it")
        elif name == "thidua_xlsx" and own != TOP:
            bad.append(f"{module} imports the package's face (thidua_xlsx): import the module itself")
    return bad


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_import_runs_up_the_layers(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), module_name(path)) == []


def test_every_module_is_in_a_layer() -> None:
    top_level = {p.name for p in PACKAGE.glob("*.py")}
    assert all(name == "__init__.py" or name.startswith("cli") for name in top_level), top_level
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= {*LAYERS, "data"}, folders


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        ("thidua_xlsx.core.model", "from thidua_xlsx.intake.sheets import Grid", "core is below it"),
        ("thidua_xlsx.core.report", "import xlsxwriter\nfrom thidua_xlsx.writers import atomic", "core is below it"),
        ("thidua_xlsx.ranking.review", "from thidua_xlsx.writers.review_sheets import V_CODE", "ranking is below it"),
        ("thidua_xlsx.intake.collect", "def f():\n    from thidua_xlsx.ranking.rank import rank_units", "intake"),
        ("thidua_xlsx.writers.style", "import click", "only the command line uses click"),
        ("thidua_xlsx.bloc.load", "from thidua_xlsx import collect", "the package's face"),
    ],
)
def test_the_check_catches_each_wrong_way(module: str, source: str, problem: str) -> None:
    found = violations(source, module)
    assert found and problem in found[0]


def test_the_check_allows_what_is_allowed() -> None:
    source = "from thidua_xlsx.core import labels as L\nfrom thidua_xlsx.intake.pool import isolated\nimport zipfile"
    assert violations(source, "thidua_xlsx.bloc.load") == []
    assert violations("import click\nfrom thidua_xlsx.ranking.assemble import collect", "thidua_xlsx.cli") == []
