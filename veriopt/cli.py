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

from veriopt.errors import EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, BadInput

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
  3  unknown (timeout) or unsupported feature
  4  bounded: no counterexample up to K loop iterations, not a proof
  5  internal error of veriopt (one line; set VERIOPT_TRACEBACK=1 for the traceback)
"""


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
    parser = argparse.ArgumentParser(
        prog="veriopt", description="Prove or refute rewrites of LLVM IR and C functions.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        if name == only:
            importlib.import_module(module).register(sub, name, summary)
        else:
            sub.add_parser(name, help=summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.run(args))
    except BadInput as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
    except Exception as exc:  # a defect of ours: one line and its own exit code, never 1
        if os.environ.get("VERIOPT_TRACEBACK"):
            raise
        print(f"veriopt: internal error: {type(exc).__name__}: {exc} (please report it with "
              f"the command line; VERIOPT_TRACEBACK=1 shows where)", file=sys.stderr)
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
