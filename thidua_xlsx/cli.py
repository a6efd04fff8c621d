"""Command line: parse arguments, call the library, format its results, pick the exit code.

The only module that imports click. Exit codes: 0 done and nothing to fix; 1 output written
but some unit is missing or has an error (check: some file has an error); 2 usage error,
nothing written.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from thidua_xlsx import cli_summary as summary
from thidua_xlsx.bloc.criteria_import import import_criteria
from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.bloc.spec import default_bloc_spec
from thidua_xlsx.cli_texts import (
    PROG,
    VERSION_HELP,
    VERSION_MESSAGE,
    PathParam,
    ViGroup,
    run_in_vietnamese,
    stdout_gone,
)
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.core.report import Report
from thidua_xlsx.core.text import shown
from thidua_xlsx.core.version import VERSION as __version__
from thidua_xlsx.intake.collect import check_files
from thidua_xlsx.intake.inbox import check_inbox
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.ranking.review import apply_review
from thidua_xlsx.writers.atomic import check_writable
from thidua_xlsx.writers.bloc_book import write_bloc_workbook
from thidua_xlsx.writers.json_report import write_json
from thidua_xlsx.writers.template import write_templates

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# The commands in the order of the year's work, as `--help` lists them.
WORK_ORDER = ("init", "templates", "check", "collect")


LINE_LIMIT = 1000  # characters of one printed line: what a file holds never floods the terminal


def _say(text: str = "", *, err: bool = False) -> None:
    """Print one line. Everything printed goes through here: text from a returned file (cell
    values, sheet and file names) can hold ESC, BEL, CR or bidi controls, which a terminal
    would obey; they are shown as visible signs instead, and the line is kept short."""
    click.echo(shown(text, LINE_LIMIT), err=err)


def _err(text: str) -> None:
    with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP): nothing to say it on
        _say(text, err=True)


class Stopped(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that every `finally` runs: workers
    are stopped and a half-written output's temporary file is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP stop it as Ctrl-C does (cleanly)."""
    caught = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {}
    for sig in caught:
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave them be
            previous[sig] = signal.signal(sig, _stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def handle_errors(fn: F) -> F:
    """Turn library exceptions into a clear Vietnamese message and exit code 2; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _signals_stop():
                return fn(*args, **kwargs)
        except Stopped as exc:
            name = signal.Signals(exc.signum).name
            _err(f"Đã dừng (nhận tín hiệu {name}); không có tệp kết quả nào bị ghi dở.")
            sys.exit(128 + exc.signum)
        except ThiduaError as exc:
            _err(f"Lỗi: {exc.message}")
            for p in exc.problems:
                _err(f"  - {p}")
            sys.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            _err("Đã dừng theo yêu cầu; không có tệp kết quả nào bị ghi dở.")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            if not stdout_gone():
                raise
            sys.exit(EXIT_PROBLEMS)  # `… | head` stopped reading: the outputs are whole, say no more
        except MemoryError:
            _err("Lỗi: không đủ bộ nhớ để hoàn thành. Hãy đóng bớt chương trình rồi chạy lại.")
            sys.exit(EXIT_USAGE)
        except Exception as exc:  # a defect of ours: say so plainly, no traceback
            _err(f"Lỗi không mong đợi ({exc.__class__.__name__}: {exc}). Không có tệp nào bị ghi dở. "
                 "Xin gửi thông báo này cùng các tệp đầu vào cho người hỗ trợ.")  # fmt: skip
            if os.environ.get("THIDUA_XLSX_DEBUG"):
                raise
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def find_config(explicit: Path | None, *, near: Path | None = None) -> Path:
    """--config, else khoi.xlsx here, else beside the inbox (its parent folder)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ThiduaError(f"Không tìm thấy tệp khối thi đua {explicit}.")
        return explicit
    here = Path("khoi.xlsx")
    if here.is_file():
        return here
    if near is not None:
        beside = near.resolve().parent / "khoi.xlsx"
        if beside.is_file():
            return beside
    raise ThiduaError(
        "Không tìm thấy tệp khối thi đua khoi.xlsx (ở thư mục hiện tại"
        + (" hay thư mục chứa thư mục nhận tệp" if near is not None else "")
        + "). Dùng --config để chỉ đường dẫn, hoặc chạy 'thidua-xlsx init' để tạo."
    )


@click.group(PROG, cls=ViGroup, command_order=WORK_ORDER, invoke_without_command=True, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name=PROG, message=VERSION_MESSAGE, help=VERSION_HELP)
@click.pass_context
def main(ctx: click.Context) -> None:
    """thidua-xlsx: thu thập, kiểm tra, xếp hạng bảng tự chấm điểm thi đua của khối thi đua.

    \b
    Các bước của khối trưởng:
      1. thidua-xlsx init                 tạo tệp khối thi đua khoi.xlsx (sửa trong Excel)
      2. thidua-xlsx templates            tạo mẫu tự chấm điểm cho từng đơn vị
      3. thidua-xlsx check TỆP...         kiểm tra ngay tệp một đơn vị gửi về
      4. thidua-xlsx collect THƯ_MỤC/     tổng hợp, xếp hạng, ghi bảng xếp hạng

    Mã thoát: 0 xong, không có gì cần sửa; 1 đã ghi kết quả nhưng có đơn vị chưa nộp hoặc có lỗi;
    2 lỗi cách dùng hoặc lỗi tệp khối thi đua, không ghi gì.
    """
    if ctx.invoked_subcommand is None:  # only the name typed: that is asking for help
        click.echo(ctx.get_help(), color=ctx.color)


@main.command(context_settings=CONTEXT, short_help="Tạo tệp khối thi đua khoi.xlsx (sửa trong Excel).")
@click.argument("folder", type=PathParam("folder"), default=".", required=False, metavar="[THƯ_MỤC]")
@click.option("--force", is_flag=True, help="Ghi đè khoi.xlsx nếu đã có.")
@click.option("--from", "final", type=PathParam("file"), metavar="BẢNG_CHÍNH_THỨC",
              help="Tạo tệp khối năm sau từ bảng xếp hạng chính thức năm nay "
              "(xep_hang_<Năm>_chinh_thuc.xlsx).")  # fmt: skip
@click.option("--criteria", type=PathParam("file"),
              help="Lấy tiêu chí từ bảng tiêu chí sẵn có của khối (.xlsx, .xls, .ods hoặc .docx).")  # fmt: skip
@handle_errors
def init(folder: Path, force: bool, final: Path | None, criteria: Path | None) -> None:
    """Tạo tệp khối thi đua THƯ_MỤC/khoi.xlsx (mặc định: thư mục hiện tại).

    Tệp được điền sẵn khối thi đua năm 2024 của văn bản phát động mẫu làm ví dụ: tiêu chí chấm
    điểm 100 điểm, điều kiện danh hiệu theo Luật Thi đua, khen thưởng 2022, quy tắc đề nghị khen
    thưởng và danh sách đơn vị ví dụ. Sửa lại trong Excel cho khối của mình.

    Với --criteria, trang 'Tiêu chí' lấy từ bảng tiêu chí khối đã có (Excel hoặc Word) và
    'Tổng điểm chuẩn' là tổng điểm đọc được; lệnh in những gì đã hiểu và mọi dòng chưa xếp được.
    Mã thoát 1: đã ghi khoi.xlsx nhưng còn chỗ cần sửa (dòng chưa xếp được, tổng điểm không khớp).

    Với --from: tệp khối năm sau, từ bảng xếp hạng chính thức năm nay (sau bình xét): năm + 1,
    khối trưởng và khối phó vừa bầu, hạn nộp lùi một năm, giữ nguyên đơn vị, tiêu chí, danh hiệu,
    khen thưởng và các thiết lập; kết quả chính thức năm nay được thêm vào trang 'Kết quả các năm trước'.
    """
    if final is not None:
        if criteria is not None:
            raise ThiduaError("Dùng --from hoặc --criteria, không dùng cả hai: --from giữ tiêu chí của năm nay.")
        _init_from(folder, final, force)
        return
    imported = import_criteria(criteria) if criteria is not None else None
    spec = imported.spec(default_bloc_spec()) if imported else None
    path = write_bloc_workbook(folder / "khoi.xlsx", spec, force=force)
    if imported:
        for line in summary.import_lines(imported):
            _say(line)
    _say(f"Đã tạo tệp khối thi đua: {path}")
    _say("Sửa các trang 'Thông tin khối', 'Đơn vị', 'Tiêu chí', 'Danh hiệu', 'Khen thưởng' trong Excel,")
    _say("rồi chạy: thidua-xlsx templates" + (f" --config {path}" if str(folder) != "." else ""))
    sys.exit(EXIT_PROBLEMS if imported and imported.needs_fixing else EXIT_OK)


def _init_from(folder: Path, final: Path, force: bool) -> None:
    from thidua_xlsx.bloc.next_year import next_year

    target = folder / "khoi.xlsx"
    if target.exists() and not force:  # before reading FINAL: nothing to do either way
        raise ThiduaError(f"{target} đã có. Dùng --force để ghi đè.")
    nxt = next_year(final)
    path = write_bloc_workbook(target, nxt.spec, force=force)
    _say(f"Đã tạo tệp khối thi đua năm {nxt.year}: {path} (từ {final}).")
    for role, code, elected in (("Khối trưởng", nxt.leader, nxt.leader_elected),
                                ("Khối phó", nxt.deputy, nxt.deputy_elected)):  # fmt: skip
        if elected:
            _say(f"{role}: {code} (theo kết quả bầu tại cuộc họp bình xét).")
        else:
            kept = f"giữ như năm nay ({code})" if code else "để trống"
            _say(f"{role}: cuộc họp chưa bầu; {kept}. Sửa ở trang '{L.SHEET_INFO}' nếu cần.")
    _say(f"Đã thêm {nxt.results} dòng kết quả năm {nxt.year - 1} vào trang '{L.SHEET_HISTORY}': "
               "sửa lại theo quyết định khen thưởng của cấp trên khi có.")  # fmt: skip
    _say("Mật khẩu bảo vệ mẫu (nếu khối dùng) không được lưu trong bảng chính thức gửi Hội đồng: nhập lại ở")
    _say(f"trang '{L.SHEET_INFO}'. Kiểm tra 'Hạn nộp', tiêu chí và điều kiện năm mới trong Excel,")
    _say("rồi chạy: thidua-xlsx templates" + (f" --config {path}" if str(folder) != "." else ""))


def _config_option(fn: F) -> F:
    return click.option(
        "--config",
        type=PathParam("file"),
        help="Tệp khối thi đua (mặc định: khoi.xlsx ở thư mục hiện tại, hoặc cạnh thư mục nhận tệp).",
    )(fn)


@main.command(context_settings=CONTEXT, short_help="Tạo mẫu tự chấm điểm cho từng đơn vị.")
@_config_option
@click.option("--out", type=PathParam("folder"),
              help="Thư mục ghi mẫu (mặc định: mau_tu_cham/ cạnh tệp khối).")  # fmt: skip
@click.option("--unit", "units", multiple=True, metavar="MÃ", help="Chỉ tạo mẫu cho đơn vị này (dùng nhiều lần được).")
@click.option("--force", is_flag=True, help="Ghi đè các tệp mẫu đã có.")
@handle_errors
def templates(config: Path | None, out: Path | None, units: tuple[str, ...], force: bool) -> None:
    """Kiểm tra tệp khối thi đua rồi tạo mỗi đơn vị một mẫu tự chấm điểm (.xlsx)."""
    config = find_config(config)
    bloc = load_bloc(config)
    out = out or config.parent / "mau_tu_cham"
    paths = write_templates(bloc, out, units=list(units) or None, force=force)
    _say(f"Đã tạo {len(paths)} mẫu tự chấm điểm trong {out}/ (khối: {bloc.info.name}, năm {bloc.info.year}).")
    for p in paths[:20]:
        _say(f"  {p.name}")
    if len(paths) > 20:
        _say(f"  … và {len(paths) - 20} tệp khác")


@main.command(context_settings=CONTEXT, short_help="Kiểm tra ngay các tệp đơn vị gửi về, chỉ ra ô cần sửa.")
@click.argument("files", nargs=-1, required=True, type=PathParam(), metavar="TỆP...")
@_config_option
@handle_errors
def check(files: tuple[Path, ...], config: Path | None) -> None:
    """Kiểm tra từng tệp đơn vị gửi về và in các lỗi cần sửa, kèm trang tính và ô.

    Mã thoát 1 nếu có tệp có lỗi.
    """
    config = find_config(config, near=files[0].parent if files else None)
    bloc = load_bloc(config)
    intake = check_files(files, bloc)
    walk = intake.walk
    any_error = False
    for issue in walk.issues:
        _say(f"{summary.name(issue.file)}:")
        _say(summary.issue_line(issue))
        any_error |= issue.severity is Severity.ERROR
    for p in walk.passed:
        if not p.archive and p.issue is None:  # those with an issue were printed just above
            _say(f"{summary.name(p.display)}: bỏ qua ({shown(p.reason)})")
    for r in intake.returns:
        for line in summary.check_lines(bloc, r):
            _say(line)
        any_error |= r.errors > 0
    for d in intake.documents:  # a report or scan: never read as a return, only placed
        unit = bloc.unit_by_code.get(d.unit or "")
        whose = f"của {unit.name} ({unit.code})" if unit else f"chưa rõ của đơn vị nào: {d.reason}"
        _say(f"{summary.name(d.display)}: tài liệu gửi kèm, không phải bảng tự chấm; {summary.name(whose)}.")
    sys.exit(EXIT_PROBLEMS if any_error else EXIT_OK)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


@main.command("collect", context_settings=CONTEXT, short_help="Tổng hợp, kiểm tra, xếp hạng; ghi bảng xếp hạng.")
@click.argument("inbox", type=PathParam(), metavar="INBOX")
@_config_option
@click.option("--out", type=PathParam("file"),
              help="Tệp bảng xếp hạng (mặc định: xep_hang_<Năm>.xlsx cạnh tệp khối).")  # fmt: skip
@click.option("--json", "json_path", type=PathParam("file"),
              help="Ghi thêm báo cáo JSON vào tệp này.")  # fmt: skip
@click.option("--review", type=PathParam("file"),
              help="Bảng xếp hạng đã nhập kết quả họp (trang 'Bình xét'): ghi bảng xếp hạng chính thức.")  # fmt: skip
@click.option("--dossier", type=PathParam("folder"),
              help="Cùng --review: thư mục ghi hồ sơ gửi Hội đồng (biên bản, tờ trình, báo cáo tổng kết; mặc định: "
                   "ho_so_<Năm>/ cạnh bảng xếp hạng chính thức).")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="Không in tiến độ và bảng tóm tắt.")
@handle_errors
def collect_cmd(
    inbox: Path,
    config: Path | None,
    out: Path | None,
    json_path: Path | None,
    review: Path | None,
    dossier: Path | None,
    quiet: bool,
) -> None:
    """Đọc mọi tệp trong INBOX (cả thư mục con và tệp .zip), kiểm tra, xếp hạng và ghi bảng xếp hạng.

    Thư mục INBOX chỉ được đọc, không bị ghi hay đổi tên. Mã thoát 1 nếu có đơn vị chưa nộp hoặc
    có lỗi (bảng xếp hạng vẫn được ghi). Với --review: ghi bảng xếp hạng chính thức và hồ sơ gửi
    Hội đồng (biên bản họp, tờ trình đề nghị khen thưởng, dự thảo báo cáo tổng kết, tệp Word).
    """
    check_inbox(inbox)  # before looking for the bloc workbook beside it
    config = find_config(config, near=inbox)
    bloc = load_bloc(config)
    year = bloc.info.year
    default_name = f"xep_hang_{year}_chinh_thuc.xlsx" if review else f"xep_hang_{year}.xlsx"
    out = out or config.parent / default_name
    if dossier is not None and review is None:
        raise ThiduaError("--dossier chỉ dùng cùng --review: hồ sơ gửi Hội đồng lập từ kết quả chính thức.")
    if review is not None:
        from thidua_xlsx.writers.dossier_facts import FOLDER as DOSSIER_FOLDER

        dossier = dossier or out.parent / DOSSIER_FOLDER.format(year=year)
    for target in (out, json_path, dossier):
        if target is not None and _inside(target, inbox):
            raise ThiduaError(
                f"Không ghi kết quả vào thư mục nhận tệp ({target}); chọn nơi khác với --out/--json/--dossier."
            )
    if review is not None and not review.is_file():
        raise ThiduaError(f"Không tìm thấy bảng bình xét {review}.")
    documents = []
    if dossier is not None:
        from thidua_xlsx.writers.dossier_facts import dossier_paths

        documents = dossier_paths(dossier, year)
    _check_outputs(out, json_path, config, review, documents)
    show = not quiet and sys.stderr.isatty()
    report = _run_collect(inbox, bloc, show)
    if review is not None:
        report = apply_review(report, review)
    # The report lives until the command ends: keep the garbage collector from scanning its
    # tens of thousands of objects again and again while the workbook is built (a fifth of
    # the write at 10,000 units).
    gc.freeze()
    from thidua_xlsx.writers.ranking_book import write_ranking  # xlsxwriter is only needed here

    write_ranking(report, out)
    if json_path is not None:
        write_json(report, json_path)
    if dossier is not None:
        from thidua_xlsx.writers.dossier import write_dossier  # python-docx is only needed here

        write_dossier(report, dossier)
    if not quiet:
        width = shutil.get_terminal_size((100, 24)).columns - 1
        for line in summary.run_lines(report, out, json_path, dossier, width):
            _say(line)
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, `..`, or a second spelling)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: compare where they would be
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _check_outputs(
    out: Path, json_path: Path | None, config: Path, review: Path | None, documents: Sequence[Path] = ()
) -> None:
    """Before any reading: refuse an output that would replace an input or another output,
    or that cannot be written where it is asked for. Nothing is written when refused."""
    inputs = [(config, "tệp khối thi đua")] + ([(review, "bảng bình xét (--review)")] if review else [])
    outputs = [(out, "--out")] + ([(json_path, "--json")] if json_path else [])
    for document in documents:
        for target, option in outputs:
            if _same_file(target, document):
                raise ThiduaError(f"{option} {target} trùng một tệp của hồ sơ (--dossier). Hãy chọn tên tệp khác.")
    outputs += [(document, "--dossier") for document in documents]
    for target, option in outputs:
        for source, what in inputs:
            if _same_file(target, source):
                raise ThiduaError(
                    f"{option} {target} là {what} {source}: ghi vào đó sẽ xóa mất tệp này. Hãy chọn tên tệp khác."
                )
    if json_path is not None and _same_file(out, json_path):
        raise ThiduaError(
            f"--out và --json cùng chỉ tới {out}: báo cáo JSON sẽ ghi đè bảng xếp hạng. Hãy chọn hai tên tệp khác nhau."
        )
    for target, _option in outputs:
        check_writable(target)


def _run_collect(inbox: Path, bloc: Bloc, show: bool) -> Report:
    if not show:
        return collect(inbox, bloc)
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Đang đọc các tệp", file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(1)

    try:
        return collect(inbox, bloc, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def run() -> None:
    """The console command: `main` (click's errors said in Vietnamese), then leave without
    freeing the heap object by object.

    Every output is closed and renamed into place by then; after a large collect the
    interpreter would still spend a quarter of a second (10,000 units) tearing down the
    report. So flush the streams and exit at once, as mypy does.
    """
    try:
        code: Any = run_in_vietnamese(main, prog_name=PROG)
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # sys.exit("message"), as Python itself would print it
        _err(str(code))
        code = EXIT_PROBLEMS
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
