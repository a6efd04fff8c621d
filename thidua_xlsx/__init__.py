"""thidua-xlsx: collect, check and rank the self-scoring returns of an emulation bloc.

from thidua_xlsx import load_bloc, collect, write_ranking
report = collect("inbox/", load_bloc("khoi.xlsx"))
write_ranking(report, "xep_hang_2024.xlsx")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public API, imported on first use so `thidua-xlsx --help` stays quick.
_API = {
    "load_bloc": "bloc",
    "collect": "collector",
    "check_files": "collector",
    "write_ranking": "ranking_writer",
    "write_json": "report",
    "Report": "report",
    "write_bloc_workbook": "bloc_writer",
    "write_templates": "template",
    "apply_review": "review",
    "Issue": "issues",
    "Severity": "issues",
    "BlocError": "errors",
    "ReviewError": "errors",
    "ThiduaError": "errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
