"""Where `collect` spends its time, stage by stage, on a cached corpus (see make_corpus.py).

    python benchmarks/profile_collect.py 1000                 # stage table
    python benchmarks/profile_collect.py 1000 --pyinstrument  # and call trees (pip install pyinstrument)

Everything runs in this one process, so each stage is timed alone:

- worker side: `read_return` over every file, split into the checks before opening
  (stat, sniff, the zip-size check), calamine's open, calamine's parse of each sheet, and
  our Python parsing of the grids;
- the hand-back: pickling each result in a worker and unpickling it in the parent (what
  the pipe between them carries);
- parent side: walking the inbox, assembling and ranking, and writing the ranking
  workbook sheet by sheet and the JSON report;
- start-up: importing the CLI and loading the bloc workbook.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import pickle
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHECK = "read: package check (zipfile reads the directory)"
T: dict[str, float] = defaultdict(float)
N: dict[str, int] = defaultdict(int)


def timed(key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            T[key] += time.perf_counter() - start
            N[key] += 1

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description="Đo từng giai đoạn của collect trên bộ tệp đã tạo.")
    parser.add_argument("n", type=int)
    parser.add_argument("--pyinstrument", action="store_true", help="in thêm cây lời gọi (cần pyinstrument)")
    args = parser.parse_args()

    start = time.perf_counter()
    import thidua_xlsx.cli  # noqa: F401  (what the command imports before anything else)

    T["start-up: import thidua_xlsx.cli"] = time.perf_counter() - start
    start = time.perf_counter()
    importlib.import_module("thidua_xlsx.writers.ranking_book")
    T["start-up: import writers.ranking_book (xlsxwriter)"] = time.perf_counter() - start

    from make_corpus import ensure_corpus

    from thidua_xlsx.bloc.load import load_bloc
    from thidua_xlsx.intake import reader, returns
    from thidua_xlsx.intake.collect import Intake
    from thidua_xlsx.intake.inbox import walk_inbox
    from thidua_xlsx.ranking.assemble import assemble
    from thidua_xlsx.writers.json_report import write_json
    from thidua_xlsx.writers.ranking_book import write_ranking

    corpus = ensure_corpus(args.n)
    start = time.perf_counter()
    bloc = load_bloc(corpus.bloc)
    T["start-up: load_bloc(khoi.xlsx)"] = time.perf_counter() - start

    # Worker side, instrumented from outside (no library change).
    for name in ("_check_package", "_check_zip_sizes", "_check_ole"):  # whichever this version has
        if hasattr(reader, name):
            setattr(reader, name, timed(CHECK, getattr(reader, name)))
    reader.sniff = timed("read: sniff first bytes", reader.sniff)
    reader.Book._load = timed("read: calamine parse sheets (to_python)", reader.Book._load)
    reader.open_book = timed("_open_book", reader.open_book)
    returns.open_book = reader.open_book
    returns._parse = timed("_parse", returns._parse)

    start = time.perf_counter()
    walk = walk_inbox(corpus.inbox)
    T["parent: walk inbox"] = time.perf_counter() - start

    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    start = time.perf_counter()
    results = [returns.read_return(s, bloc) for s in walk.sources]
    T["_read_total"] = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)

    # The hand-back over the pipe: pickle in the worker, unpickle in the parent.
    start = time.perf_counter()
    blobs = [pickle.dumps((i, True, r), protocol=pickle.HIGHEST_PROTOCOL) for i, r in enumerate(results)]
    T["hand-back: pickle results (worker)"] = time.perf_counter() - start
    start = time.perf_counter()
    for b in blobs:
        pickle.loads(b)
    T["hand-back: unpickle results (parent)"] = time.perf_counter() - start
    pickled = sum(map(len, blobs))
    start = time.perf_counter()
    pickle.dumps(bloc, protocol=pickle.HIGHEST_PROTOCOL)
    T["hand-back: pickle the bloc once (spawn only)"] = time.perf_counter() - start

    # Parent side.
    if args.pyinstrument:
        profiler = Profiler(interval=0.0005)
        profiler.start()
    start = time.perf_counter()
    report = assemble(bloc, Intake(walk, tuple(results)))
    T["parent: assemble + evaluate + rank"] = time.perf_counter() - start
    import thidua_xlsx.writers.ranking_book as rw

    for name in ("_ranking_sheet", "write_detail", "write_targets", "write_titles", "write_checks",
                 "write_submissions", "write_review_sheets", "_carry"):  # fmt: skip
        setattr(rw, name, timed(f"write: sheet {name}", getattr(rw, name)))
    rw.xlsxwriter.Workbook.close = timed("write: xlsxwriter close (XML + zip)", rw.xlsxwriter.Workbook.close)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_ranking(report, Path(tmp) / "xep_hang.xlsx")
        T["_write_total"] = time.perf_counter() - start
        size = (Path(tmp) / "xep_hang.xlsx").stat().st_size
        start = time.perf_counter()
        write_json(report, Path(tmp) / "bao_cao.json")
        T["write: JSON report (--json only)"] = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)

    n = len(results)
    open_only = T.pop("_open_book") - T[CHECK] - T["read: sniff first bytes"]
    T["read: stat, read head, calamine open + sheet list"] = open_only
    T["read: our Python parsing of the grids"] = T.pop("_parse") - T["read: calamine parse sheets (to_python)"]
    read_total = T.pop("_read_total")
    T["read: rest of read_return"] = read_total - sum(v for k, v in T.items() if k.startswith("read:"))
    write_total = T.pop("_write_total")
    T["write: rest (formats, meta, atomic rename)"] = write_total - sum(
        v for k, v in T.items() if k.startswith("write:") and "JSON" not in k
    )
    whole = sum(T.values()) - T["write: JSON report (--json only)"] - T["hand-back: pickle the bloc once (spawn only)"]
    print(f"{n:,} bảng tự chấm; kết quả đã pickle: {pickled / 1024**2:.1f} MB ({pickled / n / 1024:.1f} KB/tệp); "
          f"bảng xếp hạng {size / 1024**2:.1f} MB")  # fmt: skip
    print(f"{'giai đoạn':<52} {'giây':>8} {'ms/tệp':>8} {'%':>6}")
    for key in sorted(T, key=lambda k: ("start" not in k, k.split(":")[0], -T[k])):
        print(f"{key:<52} {T[key]:>8.3f} {T[key] / n * 1000:>8.3f} {100 * T[key] / whole:>6.1f}")
    print(f"{'tổng (một tiến trình, không kể JSON)':<52} {whole:>8.3f} {whole / n * 1000:>8.3f}")
    loads = N["read: calamine parse sheets (to_python)"]
    print(f"Số trang tính calamine nạp: {loads:,} ({loads / n:.1f} mỗi tệp)")


if __name__ == "__main__":
    main()
