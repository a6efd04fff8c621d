"""The bloc workbook as data, and the shipped default: the seed's 2024 bloc."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

BlocSpec = dict[str, Any]
"""Rows of the bloc workbook as data: {info, units, criteria, titles, awards}."""

DEFAULT_BLOC = "khoi_mac_dinh.json"


def default_bloc_spec() -> BlocSpec:
    """The seed's 2024 bloc, shipped as package data (thidua_xlsx/data/)."""
    text = resources.files("thidua_xlsx.data").joinpath(DEFAULT_BLOC).read_text(encoding="utf-8")
    spec: BlocSpec = json.loads(text)
    return spec
