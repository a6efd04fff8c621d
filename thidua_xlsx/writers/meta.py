"""The hidden '_thidua' sheet that identifies a workbook the tool wrote (key | value)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import xlsxwriter

from thidua_xlsx.core import labels as L
from thidua_xlsx.writers.style import protect


def write_meta_sheet(
    book: xlsxwriter.Workbook,
    values: Mapping[str, str | int],
    keys: Sequence[str],
    *,
    password: str | None = None,
) -> None:
    """One row per key, in the order of `keys` (a tuple of core.labels): the key, then its value,
    a whole number as a number and anything else as text. Hidden; protected when `password`
    is given ("" protects without a password)."""
    missing = [key for key in keys if key not in values]
    if missing or len(values) != len(keys):
        raise ValueError(f"metadata keys {sorted(values)} are not {list(keys)}")
    ws = book.add_worksheet(L.SHEET_META)
    for r, key in enumerate(keys):
        ws.write_string(r, 0, key)
        value = values[key]
        if isinstance(value, int):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, value)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 60)
    ws.hide()
    if password is not None:
        protect(ws, password, resize=False)
