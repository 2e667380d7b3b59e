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

# subcommand name -> module that defines `register(subparsers)` and `run(args)`
COMMANDS: dict[str, str] = {
    "verify": "veriopt.commands.verify",
    "conformance": "veriopt.commands.conformance",
    "verify-c": "veriopt.commands.verify_c",
    "fuzz": "veriopt.commands.fuzz",
    "bench": "veriopt.commands.bench",
    "optimize": "veriopt.commands.optimize",
}

EPILOG = """exit codes:
  0  correct (proved for every input and every iteration count)
  1  incorrect (counterexample shown)
  2  bad input
  3  unknown (timeout) or unsupported feature
  4  bounded: no counterexample up to K loop iterations, not a proof
  5  internal error of veriopt (one line; set VERIOPT_TRACEBACK=1 for the traceback)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veriopt", description="Prove or refute rewrites of LLVM IR and C functions.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        importlib.import_module(module).register(sub, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
