"""Random integer LLVM IR functions and (source, target) pairs from them, for
differential testing of the verifier against alive-tv.

Everything is drawn from a `random.Random`, so a seed reproduces a pair
exactly (the script and the tests both rely on that; no hypothesis here).

A source function is a small DAG (2-8 instructions) over 1-4 integer
parameters: binary operators with their poison flags, `icmp` (with
`samesign`), `select`, `freeze`, `zext`/`sext`/`trunc` with their flags and
the integer intrinsics, with constants, now and then `undef`/`poison`
operands and `noundef` parameters. Widths favour i8, i4, i1, i16, i32, i64
so that the solvers stay fast.

A target is either the source through `opt-22` (instcombine, sometimes
-O3), renamed to @tgt, or the source with one small mutation (see
`MUTATIONS`). Both are printed into one module with @src, @tgt and the
intrinsic declarations, which is what alive-tv and `veriopt verify` read.

With `kinds=("fp",)` (or a share `p_fp` of a mixed run) a pair is a
floating-point one instead: half/float/double parameters (noundef,
nofpclass), constants of every class (signed zeros, infinities, NaNs with
payloads, subnormals), FP arithmetic with fast-math flags, fcmp, the FP
intrinsics, casts between FP widths and to and from integers (fp,
fp_model, fp_mutations). The integer pairs of a seed never change.

With `kinds=("mem",)` (or a share `p_mem` of a mixed run) a pair is a
memory one: pointer parameters with attributes, globals, allocas, loads
and stores, getelementptr, memset/memcpy/memmove, pointer compares,
select and phi, with targets by LLVM's memory passes or memory mutations
(mem, mem_model, mem_functions, mem_mutations, mem_pairs). The integer
and FP pairs of a seed stay those of a run without "mem".

The stages, one module each: model (the structured form and its printing),
instructions (constants and one instruction at a time), functions (a whole
@src), opt (targets by opt-22), mutations (targets by hand), pairs.
"""
from veriopt.verify.random_ir.fp import FBuilder, random_fp_const, random_fp_function
from veriopt.verify.random_ir.fp_model import (
    FFunction, FInstr, FOperand, double_bits, fp_bits, fp_module_text, fp_text, fp_value,
)
from veriopt.verify.random_ir.fp_mutations import FP_MUTATIONS, fp_mutate
from veriopt.verify.random_ir.functions import PARAM_NAMES, prune, random_function
from veriopt.verify.random_ir.instructions import (
    COMMUTATIVE_INTRINSICS, P_POISON, P_UNDEF, WIDTHS, Builder, random_const, weighted,
)
from veriopt.verify.random_ir.model import (
    BINOP_FLAGS, BINOPS, CAST_FLAGS, COMMUTATIVE, INTRINSICS, PREDICATES, Function,
    GeneratorError, Instr, Operand, const_text, declaration, intrinsic_name, module_text,
)
from veriopt.verify.random_ir.mutations import (
    MUTATIONS, NEAR_PREDICATES, NONCOMMUTATIVE_INTRINSICS, SIMILAR_INTRINSICS, SIMILAR_OPS,
    mutate, rename_params, rename_params_text, swap_param_names,
)
from veriopt.verify.random_ir.opt import (
    body_lines, find_opt, run_opt, split_opt_output, verify_with_opt,
)
from veriopt.verify.random_ir.mem_functions import random_mem_function
from veriopt.verify.random_ir.mem_model import MFunction, MInstr, MOperand, mem_module_text
from veriopt.verify.random_ir.mem_mutations import MEM_MUTATIONS, mem_mutate
from veriopt.verify.random_ir.mem_pairs import MEM_PASSES, random_mem_pair
from veriopt.verify.random_ir.pairs import (
    Pair, is_fp_pair, is_mem_pair, pair_for, pair_seed, random_pair,
)

__all__ = [
    "FBuilder", "FFunction", "FInstr", "FOperand", "FP_MUTATIONS", "double_bits", "fp_bits",
    "fp_module_text", "fp_mutate", "fp_text", "fp_value", "is_fp_pair", "random_fp_const",
    "random_fp_function",
    "BINOPS", "BINOP_FLAGS", "Builder", "CAST_FLAGS", "COMMUTATIVE", "COMMUTATIVE_INTRINSICS",
    "Function", "GeneratorError", "INTRINSICS", "Instr", "MUTATIONS", "NEAR_PREDICATES",
    "NONCOMMUTATIVE_INTRINSICS", "Operand", "PARAM_NAMES", "PREDICATES", "P_POISON", "P_UNDEF",
    "Pair", "SIMILAR_INTRINSICS", "SIMILAR_OPS", "WIDTHS", "body_lines", "const_text",
    "declaration", "find_opt", "intrinsic_name", "module_text", "mutate", "pair_for",
    "pair_seed", "prune", "random_const", "random_function", "random_pair", "rename_params",
    "rename_params_text", "run_opt", "split_opt_output", "swap_param_names", "verify_with_opt",
    "weighted", "MEM_MUTATIONS", "MEM_PASSES", "MFunction", "MInstr", "MOperand", "is_mem_pair",
    "mem_module_text", "mem_mutate", "random_mem_function", "random_mem_pair",
]
