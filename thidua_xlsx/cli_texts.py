"""The command line's own words in Vietnamese, through click's documented hooks only.

click writes a few English words of its own: the usage line, section titles, the help option,
metavars, and the messages of its usage errors. Here they are replaced without touching click
itself: `ViCommand` and `ViGroup` override the documented methods that write them
(`format_usage`, `format_options`, `format_commands`, `get_help_option`, `list_commands`,
`parse_args`, `resolve_command`), `PathParam` is a parameter type with Vietnamese names and
messages, and `run_in_vietnamese` runs a group with `standalone_mode=False` and says click's
exceptions in Vietnamese from their documented attributes. Only `cli.py` and this module import
click; nothing here changes click for anyone else in the process.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import click
from click.shell_completion import CompletionItem

PROG = "thidua-xlsx"

USAGE_PREFIX = "Cách dùng: "
OPTIONS_TITLE = "Tùy chọn"
COMMANDS_TITLE = "Lệnh"
OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM_SỐ]..."
HELP_HELP = "Hiện hướng dẫn này rồi thoát."
VERSION_HELP = "Hiện phiên bản rồi thoát."
VERSION_MESSAGE = "%(prog)s, phiên bản %(version)s"

ERROR = "Lỗi: {message}"
SEE_HELP = "Xem hướng dẫn: '{command} {option}'."
ABORTED = "Đã dừng."
NO_SUCH_OPTION = "Không có tùy chọn '{name}'."
NO_SUCH_COMMAND = "Không có lệnh '{name}'. Các lệnh: {commands}."
DID_YOU_MEAN = "Có phải ý bạn là {names}?"
MISSING_ARGUMENT = "Thiếu tham số {name}."
MISSING_OPTION = "Thiếu tùy chọn {name}."
OPTION_TAKES_NO_VALUE = "Tùy chọn '{name}' không nhận giá trị."
OPTION_NEEDS_VALUE = "Tùy chọn '{name}' cần một giá trị."
OPTION_MISUSED = "Tùy chọn '{name}' dùng không đúng cách."
EXTRA_ARGUMENTS = "Thừa tham số: {args}."
INVALID_VALUE = "Giá trị không hợp lệ cho {name}: {message}"
INVALID_VALUE_BARE = "Giá trị không hợp lệ: {message}"
BAD_USAGE = "Câu lệnh không đúng cách dùng."
FAILED = "Không thực hiện được lệnh."
IS_A_FILE = "'{path}' là một tệp, cần một thư mục."
IS_A_FOLDER = "'{path}' là một thư mục, cần một tệp."


class VietnameseUsageError(click.UsageError):
    """A usage error whose message is already Vietnamese (click's own would be English)."""


class PathParam(click.ParamType):
    """A path given as `pathlib.Path`. When it exists it must be of the right kind (a folder
    where a folder is meant, a file where a file is); whether it exists is for the command to
    check, with its own message.
    """

    def __init__(self, kind: Literal["file", "folder", "any"] = "any") -> None:
        self.kind = kind
        # The name is what `--help` shows after an option, upper-cased.
        self.name = {"file": "tệp", "folder": "thư_mục", "any": "đường_dẫn"}[kind]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(value)
        if self.kind == "folder" and path.is_file():
            self.fail(IS_A_FILE.format(path=path), param, ctx)
        if self.kind == "file" and path.is_dir():
            self.fail(IS_A_FOLDER.format(path=path), param, ctx)
        return path

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(incomplete, type="dir" if self.kind == "folder" else "file")]


@contextlib.contextmanager
def _in_context(ctx: click.Context) -> Iterator[None]:
    """Name the command a usage error comes from: click's parser raises some without it."""
    try:
        yield
    except click.UsageError as exc:
        if exc.ctx is None:
            exc.ctx = ctx
        raise


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(ctx.get_help(), color=ctx.color)
    ctx.exit()


class ViCommand(click.Command):
    """A command whose usage line, option section and help option speak Vietnamese."""

    # Extra arguments reach `parse_args` below, which refuses them in Vietnamese.
    allow_extra_args = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        self.vi_help_option: click.Option | None = None

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [rv for rv in (p.get_help_record(ctx) for p in self.get_params(ctx)) if rv is not None]
        if rows:
            with formatter.section(OPTIONS_TITLE):
                formatter.write_dl(rows)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        # Made once: click matches parameters by identity when it orders their processing.
        if self.vi_help_option is None:
            ordered = [n for n in ctx.help_option_names if n in names]
            self.vi_help_option = click.Option(
                ordered, is_flag=True, is_eager=True, expose_value=False, callback=_show_help, help=HELP_HELP
            )
        return self.vi_help_option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _in_context(ctx):
            rest = super().parse_args(ctx, args)
        if rest and not ctx.resilient_parsing:
            raise VietnameseUsageError(EXTRA_ARGUMENTS.format(args=" ".join(rest)), ctx)
        return rest


class ViGroup(ViCommand, click.Group):
    """A group that speaks Vietnamese and lists its commands in the order of the year's work.

    `command_order` names the commands in the order `--help` lists them; any command not in it
    follows, alphabetically.
    """

    command_class = ViCommand

    def __init__(self, *args: Any, command_order: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
        self.command_order = tuple(command_order)

    def list_commands(self, ctx: click.Context) -> list[str]:
        last = len(self.command_order)
        return sorted(
            self.commands, key=lambda n: (self.command_order.index(n) if n in self.command_order else last, n)
        )

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section(COMMANDS_TITLE):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in shown])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # What follows the command name belongs to the command: not ViCommand's refusal.
        with _in_context(ctx):
            return click.Group.parse_args(self, ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            names = self.list_commands(ctx)
            message = NO_SUCH_COMMAND.format(name=name, commands=", ".join(names))
            close = difflib.get_close_matches(name, names)
            if close:
                message += " " + DID_YOU_MEAN.format(names=" hay ".join(f"'{c}'" for c in close))
            raise VietnameseUsageError(message, ctx)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """As click's, but in standalone mode (a test runner, a direct call) the errors are
        said in Vietnamese by `run_in_vietnamese`."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        sys.exit(run_in_vietnamese(self, args, prog_name, complete_var=complete_var, **extra))


def _param_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return " / ".join(f"'{o}'" for o in param.opts)
    return (param.metavar or param.human_readable_name).strip("[]").removesuffix("...")


def _hint(exc: click.BadParameter) -> str | None:
    """The parameter an error is about, as the user typed or sees it."""
    if exc.param_hint is not None:
        return exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
    return _param_name(exc.param) if exc.param is not None else None


def _option_usage(exc: click.BadOptionUsage) -> str:
    params = exc.ctx.command.get_params(exc.ctx) if exc.ctx is not None else []
    for param in params:
        if isinstance(param, click.Option) and exc.option_name in (*param.opts, *param.secondary_opts):
            template = OPTION_TAKES_NO_VALUE if param.is_flag else OPTION_NEEDS_VALUE
            return template.format(name=exc.option_name)
    return OPTION_MISUSED.format(name=exc.option_name)


def usage_message(exc: click.UsageError) -> str:
    """What went wrong, in Vietnamese, from the error's documented attributes."""
    if isinstance(exc, VietnameseUsageError):
        return exc.message
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else None)
        template = MISSING_OPTION if kind == "option" else MISSING_ARGUMENT
        return template.format(name=_hint(exc) or "").replace(" .", ".")
    if isinstance(exc, click.NoSuchOption):
        message = NO_SUCH_OPTION.format(name=exc.option_name)
        if exc.possibilities:
            message += " " + DID_YOU_MEAN.format(names=" hay ".join(f"'{p}'" for p in exc.possibilities))
        return message
    if isinstance(exc, click.BadOptionUsage):
        return _option_usage(exc)
    if isinstance(exc, click.BadParameter):
        # Our own types and callbacks fail in Vietnamese; click's built-in types are not used.
        hint = _hint(exc)
        if hint is None:
            return INVALID_VALUE_BARE.format(message=exc.message)
        return INVALID_VALUE.format(name=hint, message=exc.message)
    return BAD_USAGE  # a usage error of click's we do not know: its words would be English


def _help_hint(exc: click.UsageError, prog_name: str) -> str:
    command, option = prog_name, "--help"
    if exc.ctx is not None:
        command = exc.ctx.command_path
        names = exc.ctx.command.get_help_option_names(exc.ctx)
        if names:
            option = max(names, key=len)
    return SEE_HELP.format(command=command, option=option)


def stdout_gone() -> bool:
    """Whether standard output is a pipe nobody reads any more; if so, point it at /dev/null."""
    try:
        sys.stdout.flush()
        return False
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return True


def run_in_vietnamese(
    command: click.Command, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
) -> int:
    """Run `command` as a console command, with click's `standalone_mode` off, and return the
    exit code; click's errors are said here, in Vietnamese (usage errors exit 2).

    A `SystemExit` raised by a command passes through untouched.
    """
    try:
        rv = command.main(args, prog_name, standalone_mode=False, **extra)
    except click.UsageError as exc:
        click.echo(ERROR.format(message=usage_message(exc)), err=True)
        click.echo(_help_hint(exc, prog_name or PROG), err=True)
        return exc.exit_code
    except click.ClickException as exc:  # none of ours raises one; click's words would be English
        click.echo(ERROR.format(message=FAILED), err=True)
        return exc.exit_code
    except click.Abort:
        click.echo(ABORTED, err=True)
        return 1
    except BrokenPipeError:  # `thidua-xlsx --help | head -1`
        if not stdout_gone():
            raise
        return 1
    # Without standalone mode, click returns the code of `ctx.exit()` (--help, --version) as an
    # int, and a command's own return value otherwise (ours return None: done).
    return rv if isinstance(rv, int) else 0
