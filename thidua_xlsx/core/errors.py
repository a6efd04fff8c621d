"""Exceptions the library raises for usage problems (never for bad data in a return)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a workbook the bloc leader controls (bloc or review workbook)."""

    sheet: str | None
    cell: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"trang tính '{self.sheet}'")
        if self.cell:
            where.append(f"ô {self.cell}")
        prefix = ", ".join(where)
        return (prefix[:1].upper() + prefix[1:] + ": " if where else "") + self.message


class ThiduaError(Exception):
    """A usage error: the command cannot go on and writes nothing (exit code 2)."""

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        super().__init__(message, tuple(problems))  # both in args, so the error pickles whole
        self.message = message
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return self.message


class BlocError(ThiduaError):
    """The bloc workbook is missing, unreadable or inconsistent."""


class ReviewError(ThiduaError):
    """The review workbook of the year-end meeting cannot be applied."""


class OutputError(ThiduaError):
    """An output file cannot be written (held open by another program, no permission…)."""
