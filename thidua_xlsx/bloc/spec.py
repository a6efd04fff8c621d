"""The bloc workbook as data, and the shipped default: the seed's 2024 bloc."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.model import Bloc, PastResult, Threshold
from thidua_xlsx.core.numbers import plain

BlocSpec = dict[str, Any]
"""Rows of the bloc workbook as data: {info, units, criteria, titles, awards, history}.
info: {Mục: value}; units: [code, name, note]; criteria: [code, text, max, kind, guide];
titles: {header: value} (TITLE_HEADERS and 'Căn cứ'); awards: rows in AWARD_HEADERS order;
history: rows in HISTORY_HEADERS order. Numbers are int, float or Decimal; blanks None."""

DEFAULT_BLOC = "khoi_mac_dinh.json"


def default_bloc_spec() -> BlocSpec:
    """The seed's 2024 bloc, shipped as package data (thidua_xlsx/data/)."""
    text = resources.files("thidua_xlsx.data").joinpath(DEFAULT_BLOC).read_text(encoding="utf-8")
    spec: BlocSpec = json.loads(text)
    spec.setdefault("history", [])
    return spec


def _bound(t: Threshold | None, *, lower: bool) -> Decimal | str | None:
    """A condition as a bloc leader types it: 70, '>50' (more than), '<2' (fewer than)."""
    if t is None:
        return None
    return (">" if lower else "<") + plain(t.value) if t.strict else t.value


def _label(rating: Any) -> str | None:
    return rating.label if rating is not None else None


def past_row(p: PastResult) -> list[Any]:
    """A row of 'Kết quả các năm trước' (HISTORY_HEADERS order)."""
    return [p.year, p.unit, p.total, p.rank, _label(p.rating), p.title, p.award or None]


def spec_of(bloc: Bloc) -> BlocSpec:
    """The rows of a loaded bloc's workbook, as `write_bloc_workbook` writes them again. Section
    maxima are the sums the loader checked; every criterion states its kind."""
    info = bloc.info
    settings: dict[str, Any] = {
        L.I_NAME: info.name,
        L.I_YEAR: info.year,
        L.I_GOVERNING: info.governing_body,
        L.I_LEADER: info.leader,
        L.I_DEPUTY: info.deputy,
        L.I_PLACE: info.place,
        L.I_DEADLINE: info.deadline.strftime("%d/%m/%Y") if info.deadline else None,
        L.I_BASE_TOTAL: info.base_total,
        L.I_LDTT_MIN: info.ldtt_min,
        L.I_CSTD_TARGET: info.cstd_target,
        L.I_SIGNER: info.signer,
        L.I_SIGNER_TITLE: info.signer_title,
        L.I_VOTE_SHARE: info.vote_share_min,
        L.I_PASSWORD: info.template_password,
    }
    titles = [
        {
            L.T_NAME: t.name,
            L.T_RATING: _label(t.min_rating),
            L.T_LDTT: _bound(t.ldtt_share, lower=True),
            L.T_CSTD: _bound(t.cstd_count, lower=True),
            L.T_KHTNV: _bound(t.khtnv_count, lower=False),
            L.T_KL: _bound(t.kl_count, lower=False),
            L.T_REQUIRES: t.requires,
            L.T_BASIS: t.basis,
        }
        for t in bloc.titles
    ]
    awards = [
        [a.name, a.rank_from, a.rank_to, a.min_total, a.required_title, _label(a.min_rating),
         a.years if a.years > 1 else None]
        for a in bloc.awards
    ]  # fmt: skip
    return {
        "info": settings,
        "units": [[u.code, u.name, u.note] for u in bloc.units],
        "criteria": [[c.code, c.text, c.max, c.kind.value, c.guide] for c in bloc.criteria],
        "titles": titles,
        "awards": awards,
        "history": [past_row(p) for p in bloc.history],
    }
