"""thidua-xlsx: collect, check and rank the self-scoring returns of an emulation bloc.

from thidua_xlsx import load_bloc, collect, write_ranking
report = collect("inbox/", load_bloc("khoi.xlsx"))
write_ranking(report, "xep_hang_2024.xlsx")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from thidua_xlsx.core.version import VERSION as __version__

if TYPE_CHECKING:  # the public API as type checkers see it; at run time it loads on first use
    from thidua_xlsx.bloc.load import load_bloc
    from thidua_xlsx.bloc.next_year import next_year
    from thidua_xlsx.core.errors import BlocError, ReviewError, ThiduaError
    from thidua_xlsx.core.issues import Issue, Severity
    from thidua_xlsx.core.report import Report
    from thidua_xlsx.intake.collect import check_files
    from thidua_xlsx.ranking.assemble import collect
    from thidua_xlsx.ranking.review import apply_review
    from thidua_xlsx.writers.bloc_book import write_bloc_workbook
    from thidua_xlsx.writers.dossier import write_dossier
    from thidua_xlsx.writers.json_report import write_json
    from thidua_xlsx.writers.ranking_book import write_ranking
    from thidua_xlsx.writers.template import write_templates

# Public API, imported on first use so `thidua-xlsx --help` stays quick.
_API = {
    "load_bloc": "bloc.load",
    "next_year": "bloc.next_year",
    "collect": "ranking.assemble",
    "check_files": "intake.collect",
    "apply_review": "ranking.review",
    "write_ranking": "writers.ranking_book",
    "write_json": "writers.json_report",
    "write_dossier": "writers.dossier",
    "write_bloc_workbook": "writers.bloc_book",
    "write_templates": "writers.template",
    "Report": "core.report",
    "Issue": "core.issues",
    "Severity": "core.issues",
    "BlocError": "core.errors",
    "ReviewError": "core.errors",
    "ThiduaError": "core.errors",
}

__all__ = [
    "BlocError",
    "Issue",
    "Report",
    "ReviewError",
    "Severity",
    "ThiduaError",
    "__version__",
    "apply_review",
    "check_files",
    "collect",
    "load_bloc",
    "next_year",
    "write_bloc_workbook",
    "write_dossier",
    "write_json",
    "write_ranking",
    "write_templates",
]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(f"thidua_xlsx.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
