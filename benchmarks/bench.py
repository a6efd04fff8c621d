"""Speed at scale: `thidua-xlsx collect` against the floor and the obvious peer (issue 6).

    python benchmarks/bench.py 1000            # corpora of 100 and 1,000 returns
    python benchmarks/bench.py 10000 --runs 3  # corpora of 1,000 and 10,000 returns

Builds (once; cached under benchmarks/corpus/) a corpus of N realistic returns of the
default bloc and one of N/10, then times whole processes, interleaved (every command at
every size in turn, run after run) after a warm-up round, and reports medians:

- floor:     a bare python-calamine read of every sheet of every file (benchmarks/floor.py),
             in one process, and shared over 2 processes;
- peer:      the pandas.read_excel(engine="openpyxl") loop (benchmarks/peer.py);
- collect:   the installed `thidua-xlsx collect INBOX --quiet`, output to a temporary file;
- templates: the installed `thidua-xlsx templates` for the bloc's units (sizes up to
             --templates-max).

Time is wall-clock; CPU is user + system time of the process and every process it waited
for (its workers), from the operating system's accounting (wait4). Marginal cost per
return = (median at N − median at N/10) / (N − N/10), so start-up and fixed costs cancel.
Peak memory comes from one more, separate run of each command in which the whole process
tree is sampled every 10 ms: the sum of the proportional set sizes (PSS, shared pages
counted once) of the process and its children; the largest single process's peak RSS is
shown beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import DEFAULT_ROOT, Corpus, ensure_corpus  # noqa: E402

FLOOR, FLOOR2, PEER, TOOL, TEMPLATES = "floor", "floor2", "peer", "collect", "templates"
LABELS = {
    FLOOR: "sàn: calamine đọc trần, 1 tiến trình",
    FLOOR2: "sàn: calamine đọc trần, 2 tiến trình",
    PEER: "vòng lặp pandas + openpyxl",
    TOOL: "thidua-xlsx collect",
    TEMPLATES: "thidua-xlsx templates",
}


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_mb: float
    code: int


@dataclass
class Task:
    name: str
    size: int
    argv: Callable[[Path], list[str]]  # given a fresh scratch folder
    runs: list[Run] = field(default_factory=list)
    pss_mb: float | None = None
    rss_mb: float | None = None
    procs: int = 0

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    def spread(self) -> tuple[float, float]:
        walls = [r.wall for r in self.runs]
        return min(walls), max(walls)


# Measuring -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed PSS of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, every: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_kb = 0
        self.peak_procs = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            tree, todo = [], [self.pid]
            while todo:
                p = todo.pop()
                tree.append(p)
                todo.extend(_children(p))
            total = sum(_pss_kb(p) for p in tree)
            self.peak_kb = max(self.peak_kb, total)
            self.peak_procs = max(self.peak_procs, len(tree))
            self.stop.wait(self.every)


def run_once(argv: list[str], *, sample: bool = False) -> tuple[Run, TreeSampler | None]:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = None
    if sample and os.path.exists(f"/proc/{proc.pid}/smaps_rollup"):
        sampler = TreeSampler(proc.pid)
        sampler.start()
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
    if proc.returncode not in (0, 1):  # collect exits 1 when some unit has an error: still a full run
        raise SystemExit(f"Lệnh lỗi (mã {proc.returncode}): {' '.join(argv)}\n{err.decode(errors='replace')[-2000:]}")
    rss = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024**2
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode), sampler


def measure(tasks: list[Task], *, runs: int, warmup: int, log: Callable[[str], None]) -> None:
    """Every task once per round, rounds repeated; the order rotates so none always goes first."""
    for round_ in range(warmup + runs):
        counted = round_ >= warmup
        log(f"  lượt {round_ + 1}/{warmup + runs}" + ("" if counted else " (khởi động, không tính)"))
        k = round_ % len(tasks)
        for task in tasks[k:] + tasks[:k]:
            with tempfile.TemporaryDirectory(prefix="thidua-bench-") as scratch:
                run, _ = run_once(task.argv(Path(scratch)))
            if counted:
                task.runs.append(run)
    log("  đo bộ nhớ (một lượt riêng, lấy mẫu cây tiến trình mỗi 10 ms)")
    for task in tasks:
        with tempfile.TemporaryDirectory(prefix="thidua-bench-") as scratch:
            run, sampler = run_once(task.argv(Path(scratch)), sample=True)
        task.rss_mb = run.maxrss_mb
        if sampler is not None:
            task.pss_mb = sampler.peak_kb / 1024
            task.procs = sampler.peak_procs


# Commands --------------------------------------------------------------------------------


def _cli() -> list[str]:
    exe = shutil.which("thidua-xlsx")
    return [exe] if exe else [sys.executable, "-m", "thidua_xlsx.cli"]


def make_tasks(corpora: dict[int, Corpus], *, peer_max: int, templates_max: int) -> list[Task]:
    py, cli = sys.executable, _cli()
    tasks: list[Task] = []
    for size, c in sorted(corpora.items()):
        inbox, bloc = str(c.inbox), str(c.bloc)
        tasks.append(Task(FLOOR, size, lambda s, i=inbox: [py, str(HERE / "floor.py"), i, "1"]))
        tasks.append(Task(FLOOR2, size, lambda s, i=inbox: [py, str(HERE / "floor.py"), i, "2"]))
        if size <= peer_max:
            tasks.append(Task(PEER, size, lambda s, i=inbox: [py, str(HERE / "peer.py"), i, str(s / "peer.xlsx")]))
        tasks.append(Task(TOOL, size, lambda s, i=inbox, b=bloc: [
            *cli, "collect", i, "--config", b, "--out", str(s / "xep_hang.xlsx"), "--quiet"]))  # fmt: skip
        if size <= templates_max:
            tasks.append(Task(TEMPLATES, size, lambda s, b=bloc: [
                *cli, "templates", "--config", b, "--out", str(s / "mau"), "--force"]))  # fmt: skip
    return tasks


# Reporting -------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    except OSError:
        cpu = platform.processor() or "?"
    ram = "?"
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
            ram = f"{kb / 1024**2:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("thidua-xlsx", "python-calamine", "pandas", "openpyxl", "xlsxwriter")
    )
    import thidua_xlsx

    source = Path(thidua_xlsx.__file__).resolve().parent.parent  # the code being measured
    stamp = source / "COMMIT"  # a snapshot (git archive) may say which commit it is
    try:
        commit = (
            stamp.read_text().strip()
            if stamp.exists()
            else subprocess.run(
                ["git", "-C", str(source), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        )
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return (
        f"Máy: {os.cpu_count()} lõi ({cpu}), RAM {ram}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}\nThư viện: {versions}" + (f"; mã nguồn {commit}" if commit else "")
    )


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def report(tasks: list[Task], corpora: dict[int, Corpus], *, runs: int) -> tuple[str, dict]:
    small, large = min(corpora), max(corpora)
    by = {(t.name, t.size): t for t in tasks}
    mb = {n: sum(p.stat().st_size for p in c.inbox.iterdir()) / 1024**2 for n, c in corpora.items()}
    lines = [machine()]
    lines.append(
        "Bộ tệp: " + "; ".join(f"{n:,} bảng tự chấm ({mb[n]:.1f} MB)" for n in sorted(corpora))
        + f". Trung vị của {runs} lần chạy xen kẽ mỗi lệnh, sau 1 lượt khởi động."
    )  # fmt: skip
    lines.append("")
    head = f"{'lệnh':<38} {'số tệp':>7} {'thời gian (s)':>14} {'min–max (s)':>15} {'CPU (s)':>8} " \
           f"{'bộ nhớ đỉnh (MB)':>17} {'RSS lớn nhất (MB)':>18}"  # fmt: skip
    lines += [head, "-" * len(head)]
    for t in tasks if len(tasks) < 2 else sorted(tasks, key=lambda t: (list(LABELS).index(t.name), t.size)):
        lo, hi = t.spread()
        pss = _fmt(t.pss_mb, 0) + (f" ({t.procs} tt)" if t.procs > 1 else "")
        lines.append(
            f"{LABELS[t.name]:<38} {t.size:>7,} {t.median('wall'):>14.2f} {f'{lo:.2f}–{hi:.2f}':>15} "
            f"{t.median('cpu'):>8.2f} {pss:>17} {_fmt(t.rss_mb, 0):>18}"
        )
    lines.append("")
    lines.append(f"Chi phí biên mỗi bảng tự chấm ({small:,} → {large:,} tệp):")
    marginal: dict[str, dict[str, float]] = {}
    for name in (FLOOR, FLOOR2, PEER, TOOL):
        a, b = by.get((name, small)), by.get((name, large))
        if a is None or b is None:
            continue
        d = large - small
        marginal[name] = {
            "wall_ms": (b.median("wall") - a.median("wall")) / d * 1000,
            "cpu_ms": (b.median("cpu") - a.median("cpu")) / d * 1000,
        }
        if a.pss_mb is not None and b.pss_mb is not None:
            marginal[name]["pss_kb"] = (b.pss_mb - a.pss_mb) / d * 1024
        m = marginal[name]
        lines.append(
            f"  {LABELS[name]:<38} {m['wall_ms']:>7.3f} ms thời gian  {m['cpu_ms']:>7.3f} ms CPU"
            + (f"  {m['pss_kb']:>6.1f} KB bộ nhớ" if "pss_kb" in m else "")
        )
    lines.append(f"  (kích thước trung bình một tệp: {mb[large] * 1024 / large:.1f} KB)")
    lines.append("")
    summary: dict[str, float] = {}
    if TOOL in marginal and FLOOR in marginal:
        summary["tool_floor_wall"] = marginal[TOOL]["wall_ms"] / marginal[FLOOR]["wall_ms"]
        summary["tool_floor_cpu"] = marginal[TOOL]["cpu_ms"] / marginal[FLOOR]["cpu_ms"]
        lines.append("Tỷ lệ (mục tiêu issue 6):")
        lines.append(
            f"  collect / sàn, chi phí biên mỗi tệp:  {summary['tool_floor_wall']:.2f}× thời gian, "
            f"{summary['tool_floor_cpu']:.2f}× CPU   (mục tiêu ≤ 2×)"
        )
        if FLOOR2 in marginal:
            summary["tool_floor2_wall"] = marginal[TOOL]["wall_ms"] / marginal[FLOOR2]["wall_ms"]
            lines.append(f"  collect / sàn 2 tiến trình, thời gian biên: {summary['tool_floor2_wall']:.2f}×")
    for n in sorted(corpora):
        p, t = by.get((PEER, n)), by.get((TOOL, n))
        if p and t:
            summary[f"peer_tool_{n}"] = p.median("wall") / t.median("wall")
            lines.append(
                f"  vòng lặp pandas / collect ở {n:,} tệp: {summary[f'peer_tool_{n}']:.1f}× thời gian"
                + ("   (mục tiêu ≥ 10× ở 1.000 tệp)" if n == 1000 else "")
            )
    for n in sorted(corpora):
        t = by.get((TEMPLATES, n))
        if t:
            cores = t.median("cpu") / t.median("wall")
            lines.append(
                f"  templates cho {n:,} đơn vị: {t.median('wall'):.1f} s, CPU {t.median('cpu'):.1f} s "
                f"(dùng trung bình {cores:.2f} lõi)" + ("   (mục tiêu: dưới một phút)" if n == 1000 else "")
            )
    data = {
        "sizes": sorted(corpora),
        "runs": runs,
        "tasks": [
            {
                "command": t.name,
                "size": t.size,
                "wall_s": t.median("wall"),
                "cpu_s": t.median("cpu"),
                "walls": [r.wall for r in t.runs],
                "pss_mb": t.pss_mb,
                "rss_mb": t.rss_mb,
                "procs": t.procs,
            }
            for t in tasks
        ],
        "marginal": marginal,
        "ratios": summary,
    }
    return "\n".join(lines), data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Đo hiệu năng thidua-xlsx collect (issue 6).")
    parser.add_argument("n", type=int, help="số bảng tự chấm của bộ lớn (ví dụ 1000, 10000)")
    parser.add_argument("--small", type=int, help="số bảng tự chấm của bộ nhỏ (mặc định N/10)")
    parser.add_argument("--runs", type=int, default=5, help="số lần đo tính trung vị (mặc định 5)")
    parser.add_argument("--warmup", type=int, default=1, help="số lượt khởi động không tính (mặc định 1)")
    parser.add_argument("--peer-max", type=int, default=10**9, help="chỉ chạy vòng lặp pandas đến cỡ này")
    parser.add_argument("--templates-max", type=int, default=1000, help="chỉ đo templates đến cỡ này (mặc định 1000)")
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_ROOT, help="thư mục lưu bộ tệp")
    parser.add_argument("--rebuild", action="store_true", help="tạo lại bộ tệp")
    parser.add_argument("--json", type=Path, help="ghi kết quả dạng JSON vào tệp này")
    args = parser.parse_args(argv)
    small = args.small or max(args.n // 10, 1)
    if not 0 < small < args.n:
        parser.error("cần 0 < --small < N")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    corpora: dict[int, Corpus] = {}
    for n in (small, args.n):
        log(f"Bộ {n:,} bảng tự chấm …")
        corpora[n] = ensure_corpus(n, root=args.corpus_dir, rebuild=args.rebuild, log=log)
    tasks = make_tasks(corpora, peer_max=args.peer_max, templates_max=args.templates_max)
    log(f"Đo {len(tasks)} lệnh × {args.runs} lần, xen kẽ …")
    measure(tasks, runs=args.runs, warmup=args.warmup, log=log)
    text, data = report(tasks, corpora, runs=args.runs)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
