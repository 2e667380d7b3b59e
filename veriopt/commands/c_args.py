"""Arguments shared by the C-level commands (`verify-c`, `fuzz`)."""
from __future__ import annotations

import argparse

from veriopt.errors import BadInput
from veriopt.verify.c_equiv import Pair


def add_pair_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("original", help="C file holding the source (original) function")
    parser.add_argument("rewritten", nargs="?", default=None,
                        help="C file holding the target (rewritten) function; "
                             "default: the original file")
    parser.add_argument("--function", "-f", help="name of the function in both files")
    parser.add_argument("--src-fn", help="name of the source function (default: --function)")
    parser.add_argument("--tgt-fn", help="name of the target function (default: --function)")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")


def pair_from_args(args: argparse.Namespace) -> Pair:
    """The (file, function) pair the arguments name; BadInput when ambiguous."""
    src_fn = args.src_fn or args.function
    tgt_fn = args.tgt_fn or args.function
    if not src_fn or not tgt_fn:
        raise BadInput("name the function with --function, or both --src-fn and --tgt-fn")
    rewritten = args.rewritten or args.original
    if rewritten == args.original and src_fn == tgt_fn:
        raise BadInput("source and target are the same function of the same file; "
                       "give a second file or --src-fn/--tgt-fn", args.original)
    return Pair(args.original, src_fn, rewritten, tgt_fn)
