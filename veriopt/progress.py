"""Progress for long work (conformance, bench, optimize, differential runs):
a rich bar on stderr when stderr is a terminal, nothing at all otherwise, so
no `\\r` ever reaches a file or a pipe.

Ground floor like errors.py and limits.py: any layer may report progress.
rich is imported only when a bar is really drawn (it costs start-up time).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, Protocol


class Progress(Protocol):
    def advance(self, detail: str = "", steps: int = 1) -> None: ...
    def note(self, detail: str) -> None: ...


class _Silent:
    def advance(self, detail: str = "", steps: int = 1) -> None:
        pass

    def note(self, detail: str) -> None:
        pass


class _Bar:
    def __init__(self, bar, task) -> None:
        self._bar, self._task = bar, task

    def advance(self, detail: str = "", steps: int = 1) -> None:
        self._bar.update(self._task, advance=steps, detail=detail)

    def note(self, detail: str) -> None:
        self._bar.update(self._task, detail=detail)


def shown(quiet: bool = False, stream=None) -> bool:
    """Whether a bar would be drawn: not asked to be quiet and stderr a terminal."""
    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def progress(description: str, total: int | None = None,
             quiet: bool = False) -> Iterator[Progress]:
    """`with progress("conformance", total=len(cases)) as bar: bar.advance(name)`.
    total=None draws a spinner with elapsed time (work of unknown length,
    such as an optimizer run bounded by its wall-clock budget)."""
    if not shown(quiet):
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress,
                               SpinnerColumn, TextColumn, TimeElapsedColumn)
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    columns += [TimeElapsedColumn(), TextColumn("{task.fields[detail]}", style="dim")]
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield _Bar(bar, bar.add_task(description, total=total, detail=""))
