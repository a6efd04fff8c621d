"""The JSON report (PRODUCT.md §8), written atomically."""

from __future__ import annotations

from pathlib import Path

from thidua_xlsx.core.report import Report
from thidua_xlsx.writers.atomic import write_text


def write_json(report: Report, path: Path | str) -> Path:
    """Write `report.to_json()` to `path` (temporary file, then rename)."""
    write_text(path, report.to_json())
    return Path(path)
