"""The `veriopt` command: argument parsing and dispatch only.

Each subcommand lives in its own module exposing `register(subparsers)`;
modules are imported lazily by name so `--help` stays fast and adding a
command touches one line here.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from veriopt.errors import EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, BadInput, MissingTool
from veriopt.jsonout import document, dumps
from veriopt.limits import LimitExceeded

# subcommand name -> (module defining `register(subparsers, name, summary)` and
# `run(args)`, one-line summary). Only the invoked command's module is imported, so
# `veriopt verify x.ll` does not load the C front end, hypothesis or the agents.
COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("veriopt.commands.verify", "verify that @tgt refines @src (LLVM IR)"),
    "conformance": ("veriopt.commands.conformance", "score the verifier on Alive2-style test files"),
    "verify-c": ("veriopt.commands.verify_c", "check that a C rewrite refines the original"),
    "fuzz": ("veriopt.commands.fuzz", "differential fuzzing of a C rewrite"),
    "bench": ("veriopt.commands.bench", "run the offline agents over an optimization corpus"),
    "optimize": ("veriopt.commands.optimize", "optimize a C or LLVM IR function, proving every step"),
}

EPILOG = """exit codes:
  0  correct (proved for every input and every iteration count)
  1  incorrect (counterexample shown)
  2  bad input
  3  unknown (timeout, a limit of the run reached) or unsupported feature
  4  bounded: no counterexample up to K loop iterations, not a proof
  5  internal error of veriopt (one line; set VERIOPT_TRACEBACK=1 for the traceback)

limits: every command runs in a worker process with a wall clock (--time-limit,
default 600 s for verify, verify-c and fuzz, 3600 s for conformance, 14400 s for
bench, --budget + 600 s for optimize) and an address-space cap (--memory-limit,
default 8192 MB); compilers and preprocessors run with 60 s and 4096 MB each.
Reaching one prints `unknown: <which limit>` and exits 3.

--json: every command prints one JSON document on stdout, errors (2, 5) included:
schema docs/schema/veriopt.schema.json, fields in docs/json.md.
"""


class UsageError(Exception):
    """A command line argparse rejects, raised instead of argparse's exit so
    that `--json` can still answer in JSON."""

    def __init__(self, prog: str, message: str):
        self.prog = prog
        self.message = message
        super().__init__(f"{prog}: error: {message}")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors raise UsageError (usage is still
    printed on stderr, as argparse does). Subcommand parsers inherit it."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        raise UsageError(self.prog, message)


class _Version(argparse.Action):
    """--version, reading the installed metadata only when asked (importing
    importlib.metadata costs every other command 35 ms)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version
        try:
            text = version("veriopt")
        except PackageNotFoundError:   # run from a checkout that was not installed
            text = "(not installed)"
        print(f"veriopt {text}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser: the `only` command's module alone is imported, the others
    are listed by their summary (so `veriopt --help` imports none)."""
    parser = _Parser(
        prog="veriopt", description="Prove or refute rewrites of LLVM IR and C functions.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        if name == only:
            importlib.import_module(module).register(sub, name, summary)
            from veriopt.commands.supervisor import add_limit_flags
            add_limit_flags(sub.choices[name], name)
        else:
            sub.add_parser(name, help=summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command line's exit code. Run as the program (`argv` None), the
    work happens in a supervised worker under the run's time and memory
    limits (commands/supervisor.py); called with `argv` (tests, scripts),
    it runs in this process."""
    supervised = argv is None and not os.environ.get("VERIOPT_NO_SUPERVISOR")
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in COMMANDS else None
    wants_json = command is not None and "--json" in argv
    try:
        args = build_parser(command).parse_args(argv)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return _fail(command if wants_json else None, "bad_input", exc.message, EXIT_BAD_INPUT)
    if not args.command:
        build_parser().print_help()
        return EXIT_BAD_INPUT
    json_command = args.command if getattr(args, "json", False) else None
    if supervised:
        from veriopt.commands.supervisor import supervise
        return supervise(args, lambda: _run(args, json_command),
                         lambda limit: _unknown(json_command, limit))
    return _run(args, json_command)


def _run(args: argparse.Namespace, json_command: str | None) -> int:
    """Run the parsed command; every way it can end is an exit code and at
    most one line on stderr (plus the JSON document when asked for)."""
    try:
        return int(args.run(args))
    except LimitExceeded as exc:
        return _unknown(json_command, exc.limit)
    except MemoryError:
        limit = getattr(args, "memory_limit", None)
        return _unknown(json_command, "memory limit: the run needed more than "
                        + (f"{limit} MB (raise it with --memory-limit)" if limit else
                           "the memory available"))
    except BadInput as exc:
        print(exc.render(), file=sys.stderr)
        kind = "missing_tool" if isinstance(exc, MissingTool) else "bad_input"
        return _fail(json_command, kind, exc.message, EXIT_BAD_INPUT, exc.file, exc.line)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
    except Exception as exc:  # a defect of ours: one line and its own exit code, never 1
        if os.environ.get("VERIOPT_TRACEBACK"):
            raise
        message = f"{type(exc).__name__}: {exc}"
        print(f"veriopt: internal error: {message} (please report it with "
              f"the command line; VERIOPT_TRACEBACK=1 shows where)", file=sys.stderr)
        return _fail(json_command, "internal", message, EXIT_INTERNAL_ERROR)


def _unknown(json_command: str | None, limit: str) -> int:
    """A run that reached a limit: `unknown: <limit>`, exit 3, never a verdict."""
    line = f"unknown: {limit}"
    print(line, file=sys.stderr if json_command else sys.stdout)
    return _fail(json_command, "limit", line, 3)


def _fail(json_command: str | None, kind: str, message: str, code: int,
          file: str | None = None, line: int | None = None) -> int:
    """The exit code of a run that ended in an error; when the command line
    asked for --json, the error is also printed as the command's JSON
    document (docs/json.md), so a machine reading stdout always gets JSON."""
    if json_command is not None:
        print(dumps(document(json_command, error={"kind": kind, "message": message,
                                                  "file": file, "line": line})))
    return code


if __name__ == "__main__":
    sys.exit(main())
