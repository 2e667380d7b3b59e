"""Progress is drawn on a terminal only: a file or a pipe gets nothing."""
import io
import sys

from veriopt import progress as progress_mod
from veriopt.progress import progress, shown


def test_a_file_is_not_a_terminal():
    assert not shown(stream=io.StringIO())


def test_quiet_is_never_shown(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True
    assert shown(stream=Tty())
    assert not shown(quiet=True, stream=Tty())


def test_nothing_reaches_a_redirected_stderr(monkeypatch, capsys):
    with progress("work", total=3) as bar:
        for name in "abc":
            bar.advance(name)
        bar.note("done")
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    assert "\r" not in err


def test_a_terminal_gets_a_bar(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    with progress("work", total=2) as bar:
        bar.advance("a")
        bar.advance("b")
    assert not isinstance(bar, progress_mod._Silent)
