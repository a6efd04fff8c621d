"""Build a corpus of N realistic returns of the default bloc, cached under benchmarks/corpus/.

The bloc is the shipped default bloc (its criteria, titles and award rules) with N member
units. Every unit's template is written by the product itself (`write_templates`, in
processes); each return is then that template with the unit's answers filled in, the way
Excel stores a filled workbook: the typed values in the score, note and data cells
(text in the shared-strings table), and every formula keeping its text and carrying the
cached result Excel computes on save. Nothing else in the file changes, so every sheet,
formula, style, data validation, conditional format and protection of the template is
there, byte for byte. Filling is done on the package XML (a few milliseconds a file)
instead of through openpyxl (which would also drop the cached formula results a real
return carries and rewrite the whole package in its own style).

Answers vary per unit and are reproducible (seeded): most units score high with steps of
0.25, some take bonus or deduction points, some explain their scores, and a few make the
mistakes the tool exists to catch (a score typed as text "9,5", a score left blank).
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from thidua_xlsx import __version__
from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.bloc.spec import default_bloc_spec
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import a1
from thidua_xlsx.core.model import Bloc, Kind
from thidua_xlsx.core.ratings import RATING_LABELS
from thidua_xlsx.writers.bloc_book import write_bloc_workbook
from thidua_xlsx.writers.template import layout, write_templates
from thidua_xlsx.writers.template_sheets import data_rows

CORPUS_FORMAT = 1  # bump when the generator changes: cached corpora are rebuilt
SEED = 2024
HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE / "corpus"

KINDS_OF_UNIT = (
    "Trường Mầm non", "Trường Tiểu học", "Trường Trung học cơ sở", "Trạm Y tế xã", "Ủy ban nhân dân xã",
    "Đảng ủy xã", "Hội Nông dân xã", "Hội Liên hiệp Phụ nữ xã", "Đoàn Thanh niên xã", "Hội Cựu chiến binh xã",
    "Hợp tác xã Nông nghiệp", "Bưu điện văn hóa xã", "Công an xã", "Ban Chỉ huy Quân sự xã",
)  # fmt: skip
PLACES = (
    "Yên Bằng", "Yên Bình", "Yên Chính", "Yên Cường", "Yên Dương", "Yên Đồng", "Yên Hồng", "Yên Hưng",
    "Yên Khang", "Yên Khánh", "Yên Lộc", "Yên Lợi", "Yên Lương", "Yên Minh", "Yên Mỹ", "Yên Nghĩa",
    "Yên Nhân", "Yên Ninh", "Yên Phong", "Yên Phú", "Yên Phúc", "Yên Phương", "Yên Quang", "Yên Tân",
    "Yên Thắng", "Yên Thành", "Yên Thọ", "Yên Tiến", "Yên Trị", "Yên Trung", "Lâm", "Tân Minh",
)  # fmt: skip
NOTES = (
    "Còn 01 nhiệm vụ được giao chậm tiến độ; minh chứng: Báo cáo số {n}/BC-{c} ngày 15/12/2024.",
    "Tỷ lệ hồ sơ giải quyết đúng hạn đạt {p} %; minh chứng: Sổ theo dõi năm 2024.",
    "Chưa tổ chức đủ các hội nghị theo kế hoạch (thiếu 01 hội nghị).",
    "Được UBND huyện tặng Giấy khen theo Quyết định số {n}/QĐ-UBND.",
    'Mô hình "{c} - dân vận khéo" được Huyện ủy công nhận.',
    "Nộp báo cáo 6 tháng chậm 03 ngày so với hạn.",
    "Có 01 công chức bị phê bình bằng văn bản.",
)
RATING_WEIGHTS = (0.35, 0.5, 0.12, 0.03)


def unit_rows(n: int) -> list[list[str]]:
    """n units with unique codes and real-looking, unique names."""
    rows = []
    combos = len(KINDS_OF_UNIT) * len(PLACES)
    for i in range(n):
        kind = KINDS_OF_UNIT[i % len(KINDS_OF_UNIT)]
        place = PLACES[(i // len(KINDS_OF_UNIT)) % len(PLACES)]
        round_ = i // combos
        name = f"{kind} {place}" + (f" số {round_ + 1}" if round_ else "")
        rows.append([f"DV{i + 1:05d}", name, ""])
    return rows


def bloc_spec(n: int) -> dict[str, Any]:
    spec = copy.deepcopy(default_bloc_spec())
    spec["units"] = unit_rows(n)
    spec["info"][L.I_LEADER] = spec["units"][0][0]
    spec["info"][L.I_DEPUTY] = ""
    spec["history"] = []  # the default's example history names the default's units
    return spec


# Answers -------------------------------------------------------------------------------


@dataclass
class Answers:
    scores: dict[str, Decimal | str | None]  # leaf code → number, text typed, or None (blank)
    notes: dict[str, str]
    data: dict[str, int | str]


def _quarter(x: float) -> Decimal:
    return (Decimal(round(x * 4)) / 4).normalize() + Decimal(0)


def answers(bloc: Bloc, i: int) -> Answers:
    rng = random.Random(SEED * 1_000_003 + i)
    quality = 0.7 + 0.3 * rng.random() ** 0.6
    scores: dict[str, Decimal | str | None] = {}
    notes: dict[str, str] = {}
    code = f"DV{i + 1:05d}"
    for crit in bloc.leaves:
        top = float(crit.max)
        if crit.kind is Kind.BASE:
            share = min(1.0, max(0.0, quality + rng.uniform(-0.12, 0.12)))
            value = _quarter(top * share)
        elif crit.kind is Kind.BONUS:
            value = _quarter(rng.choice((0.5, 1.0)) * top) if rng.random() < 0.25 else Decimal(0)
        else:
            value = _quarter(rng.uniform(0.25, 0.75) * top) if rng.random() < 0.08 else Decimal(0)
        scores[crit.code] = value
        meaningful = value < crit.max if crit.kind is Kind.BASE else value > 0
        if meaningful and rng.random() < 0.4:
            notes[crit.code] = rng.choice(NOTES).format(n=rng.randint(10, 299), c=code, p=rng.randint(90, 99))
    roll = rng.random()
    if roll < 0.02:  # typed as text with a decimal comma (LibreOffice, WPS, a pasted value)
        leaf = rng.choice([c for c in bloc.leaves if c.kind is Kind.BASE])
        scores[leaf.code] = str(scores[leaf.code]).replace(".", ",")
    elif roll < 0.03:  # a criterion left unscored
        scores[rng.choice(bloc.leaves).code] = None
    ts = rng.randint(8, 140)
    ldtt = min(ts, round(ts * rng.uniform(0.8, 1.0)))
    data: dict[str, int | str] = {
        "TS": ts,
        "LDTT": ldtt,
        "CSTD": round(ldtt * rng.uniform(0.05, 0.2)),
        "KHTNV": 1 if rng.random() < 0.04 else 0,
        "KL": 1 if rng.random() < 0.03 else 0,
        "XLDV": rng.choices(RATING_LABELS, RATING_WEIGHTS)[0],
        "XLTCD": rng.choices(RATING_LABELS, RATING_WEIGHTS)[0],
    }
    return Answers(scores, notes, data)


def formula_results(bloc: Bloc, ans: Answers) -> dict[str, Decimal | str]:
    """What Excel caches for each formula of 'Tự chấm điểm' once the unit's answers are in
    (SUM and COUNT skip text and blanks, as Excel's do)."""
    lay = layout(bloc)
    numeric = {c: v for c, v in ans.scores.items() if isinstance(v, Decimal)}
    value: dict[str, Decimal] = {}
    for crit in reversed(bloc.criteria):
        if crit.is_leaf:
            value[crit.code] = numeric.get(crit.code, Decimal(0))
        else:
            value[crit.code] = sum((value[k.code] for k in bloc.children(crit.code)), Decimal(0))
    out: dict[str, Decimal | str] = {}
    for crit in bloc.criteria:
        if not crit.is_leaf:
            out[a1(lay.rows[crit.code], 3)] = value[crit.code]
    sums = {
        kind: sum((numeric.get(c.code, Decimal(0)) for c in bloc.leaves if c.kind is kind), Decimal(0)) for kind in Kind
    }
    out[a1(lay.totals[L.TOTAL_BASE], 3)] = sums[Kind.BASE]
    out[a1(lay.totals[L.TOTAL_BONUS], 3)] = sums[Kind.BONUS]
    out[a1(lay.totals[L.TOTAL_DEDUCTION], 3)] = sums[Kind.DEDUCTION]
    out[a1(lay.totals[L.TOTAL], 3)] = sums[Kind.BASE] + sums[Kind.BONUS] - sums[Kind.DEDUCTION]
    n = len(bloc.leaves)
    counted = len(numeric)
    over = sum((v > bloc.by_code[c].max) + (v < 0) for c, v in numeric.items())
    if counted == n:
        status = (
            f"Tình trạng: đã chấm đủ {n}/{n} tiêu chí."
            if over == 0
            else f"Tình trạng: đã chấm đủ; có {over} ô điểm ngoài khung (tô đỏ): sửa lại."
        )
    else:
        status = f"Tình trạng: còn {n - counted}/{n} tiêu chí chưa chấm điểm (ô tô vàng)"
        status += f"; {over} ô điểm ngoài khung (tô đỏ)." if over else "."
    out["A7"] = status
    return out


# Package surgery -----------------------------------------------------------------------

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(/>|>(.*?)</c>)', re.S)
_SST_HEAD = re.compile(r'<sst ([^>]*?)count="(\d+)" uniqueCount="(\d+)"')


def _number(v: Decimal) -> str:
    return format(v.normalize(), "f")


class _Strings:
    """Strings typed by the unit, appended to the shared-strings table as Excel does."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        m = _SST_HEAD.search(xml)
        if m is None:
            raise ValueError("template without a shared-strings table")
        self.count, self.unique = int(m.group(2)), int(m.group(3))
        self.added: list[str] = []

    def index(self, text: str) -> int:
        self.count += 1
        self.added.append(text)
        return self.unique + len(self.added) - 1

    def render(self) -> str:
        xml = _SST_HEAD.sub(
            lambda m: f'<sst {m.group(1)}count="{self.count}" uniqueCount="{self.unique + len(self.added)}"',
            self.xml,
            count=1,
        )
        items = "".join(f"<si><t>{escape(t)}</t></si>" for t in self.added)
        return xml.replace("</sst>", items + "</sst>")


def _fill_sheet(xml: str, values: dict[str, Any], formulas: dict[str, Any], strings: _Strings) -> str:
    """Put typed values into blank cells and cached results after formulas."""

    def cell(m: re.Match[str]) -> str:
        ref, attrs, inner = m.group(1), m.group(2), m.group(4)
        if ref in values:
            value = values[ref]
            style = re.sub(r'\s*t="[^"]*"', "", attrs)
            if isinstance(value, Decimal | int):
                return f'<c r="{ref}"{style}><v>{_number(Decimal(value))}</v></c>'
            return f'<c r="{ref}"{style} t="s"><v>{strings.index(str(value))}</v></c>'
        if ref in formulas and inner is not None and "<f>" in inner:
            result = formulas[ref]
            f = inner[: inner.index("</f>") + 4]
            style = re.sub(r'\s*t="[^"]*"', "", attrs)
            if isinstance(result, str):
                return f'<c r="{ref}"{style} t="str">{f}<v>{escape(result)}</v></c>'
            return f'<c r="{ref}"{style}>{f}<v>{_number(result)}</v></c>'
        return m.group(0)

    return _CELL.sub(cell, xml)


@dataclass(frozen=True)
class _Parts:
    """Which package parts hold 'Tự chấm điểm' and 'Số liệu' (same for every template of a bloc)."""

    scores: str
    data: str


def _parts(zf: zipfile.ZipFile) -> _Parts:
    book = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship Id="(rId\d+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*?Id="(rId\d+)"', rels)})
    by_name = {name: "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
               for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*?r:id="(rId\d+)"', book)}  # fmt: skip
    return _Parts(scores=by_name[L.SHEET_SCORES], data=by_name[L.SHEET_DATA])


def fill_return(template: Path, out: Path, bloc: Bloc, i: int) -> None:
    """The unit's return: the template with answers i typed in, saved as Excel would."""
    ans = answers(bloc, i)
    lay = layout(bloc)
    score_values: dict[str, Any] = {}
    for code, value in ans.scores.items():
        if value is not None:
            score_values[a1(lay.rows[code], 3)] = value
    for code, text in ans.notes.items():
        score_values[a1(lay.rows[code], 4)] = text
    rows = data_rows()
    data_values = {a1(rows[code], 2): value for code, value in ans.data.items()}
    formulas = formula_results(bloc, ans)
    with zipfile.ZipFile(template) as zin:
        parts = _parts(zin)
        strings = _Strings(zin.read("xl/sharedStrings.xml").decode("utf-8"))
        changed = {
            parts.scores: _fill_sheet(zin.read(parts.scores).decode("utf-8"), score_values, formulas, strings),
            parts.data: _fill_sheet(zin.read(parts.data).decode("utf-8"), data_values, {}, strings),
        }
        changed["xl/sharedStrings.xml"] = strings.render()
        tmp = out.with_name(out.name + ".part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = changed[info.filename].encode("utf-8") if info.filename in changed else zin.read(info)
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    os.replace(tmp, out)


def _fill_batch(args: tuple[str, list[tuple[str, str, int]]]) -> int:
    bloc_path, jobs = args
    bloc = load_bloc(bloc_path)
    for template, out, i in jobs:
        fill_return(Path(template), Path(out), bloc, i)
    return len(jobs)


# The cached corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    n: int
    root: Path

    @property
    def bloc(self) -> Path:
        return self.root / "khoi.xlsx"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"


def _stamp(n: int) -> dict[str, Any]:
    return {"n": n, "format": CORPUS_FORMAT, "seed": SEED, "thidua_xlsx": __version__}


def ensure_corpus(n: int, *, root: Path = DEFAULT_ROOT, workers: int | None = None, rebuild: bool = False,
                  log=print) -> Corpus:  # fmt: skip
    """The corpus of n returns, built once and reused while the generator and tool versions match."""
    corpus = Corpus(n, Path(root) / f"n{n}")
    if not rebuild and corpus.manifest.exists():
        try:
            saved = json.loads(corpus.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if {k: saved.get(k) for k in _stamp(n)} == _stamp(n):
            return corpus
    workers = workers or os.cpu_count() or 1
    if corpus.root.exists():
        shutil.rmtree(corpus.root)
    corpus.root.mkdir(parents=True)
    started = time.perf_counter()
    write_bloc_workbook(corpus.bloc, bloc_spec(n), force=True)
    bloc = load_bloc(corpus.bloc)
    templates_dir = corpus.root / "mau"
    paths = write_templates(bloc, templates_dir, force=True, workers=workers)
    t_templates = time.perf_counter() - started
    corpus.inbox.mkdir()
    jobs = [(str(p), str(corpus.inbox / p.name), i) for i, p in enumerate(paths)]
    size = max(1, min(64, len(jobs) // (workers * 4) or 1))
    batches = [(str(corpus.bloc), jobs[k : k + size]) for k in range(0, len(jobs), size)]
    if workers > 1 and len(jobs) >= 50:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = sum(pool.map(_fill_batch, batches))
    else:
        done = sum(map(_fill_batch, batches))
    shutil.rmtree(templates_dir)
    total = time.perf_counter() - started
    nbytes = sum(p.stat().st_size for p in corpus.inbox.iterdir())
    info = {**_stamp(n), "returns": done, "bytes": nbytes, "build_seconds": round(total, 1),
            "templates_seconds": round(t_templates, 1)}  # fmt: skip
    corpus.manifest.write_text(json.dumps(info, indent=1), encoding="utf-8")
    log(f"  đã tạo bộ {n:,} tệp trong {total:.0f} s (mẫu {t_templates:.0f} s), {nbytes / 1024**2:.0f} MB")
    return corpus


if __name__ == "__main__":  # pragma: no cover
    import argparse

    parser = argparse.ArgumentParser(description="Tạo (hoặc dùng lại) bộ N bảng tự chấm để đo hiệu năng.")
    parser.add_argument("n", type=int)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    c = ensure_corpus(args.n, rebuild=args.rebuild)
    print(c.root)
