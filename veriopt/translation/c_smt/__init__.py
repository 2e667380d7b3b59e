"""C semantics as SMT terms (z3): one function, executed symbolically.

Execution is *predicated*: there is a single state, and every effect is
guarded by `alive` — the condition that control reaches the statement
(path condition, not yet returned, not broken out of or continued past,
still inside every enclosing loop, not stopped at an unroll limit). Both
arms of an `if` run one after the other under exclusive guards, so no path
forking is needed and the terms stay linear in the program size times the
unroll bound.

Scalar variables are the exception that keeps loop counters concrete: an
assignment is guarded only by the path condition within the loop body,
not by "this path has already left the loop". Each way out of a loop
(its test failing, a `break`) records the variables' values at that
point, and after the loop every variable is the merge of those records.
So `for (uint8_t i = 0; i < n; i++)` keeps `i` a constant in every copy
of the body, and 255 iterations stay cheap.

Undefined behaviour is collected as (condition, description) pairs. Each
loop runs at most its limit: the unroll bound, or the loop's static trip
count when its header bounds it (`c_loops`); `unwind` says on which
inputs that was not enough, and those inputs stop there (nothing after an
unfinished loop is executed for them, so no UB is made up from the values
a cut-off loop left behind). Memory (`c_memory`) is one flat address space
shared by the parameters' buffers (which may alias unless `restrict`), the
locals' arrays and const globals; every pointer carries the bounds [lo, hi)
of the object it points into. Values live in `c_values`, inputs in
`c_inputs`, builtins in `c_builtins`.

The stages, one module each:
  state          Outcome, Frame, LoopState, merging values where paths join
  executor       Executor: the entry, guards, UB, name lookup, const globals
  statements     blocks, declarations, return, if, break/continue, switch
  loops          while/do/for unrolling and static trip counts
  expressions    constants, variables, casts, ?:, unary operators, assignment
  memory_access  lvalues, pointer arithmetic, loads and stores
  operators      binary operators (integer and pointer)
  calls          calls to the file's functions and to builtins, conversions
"""
from veriopt.translation.c_inputs import (  # noqa: F401 - re-exported for callers
    ADDR_LIMIT, LENGTH_NAMES, Inputs, MemObject, disjoint, in_object, length_param_for,
    make_inputs, placement, read_params, return_type)
from veriopt.translation.c_smt.executor import Executor  # noqa: F401
from veriopt.translation.c_smt.loops import FULL_UNROLL_LIMIT, FULL_UNROLL_WORK  # noqa: F401
from veriopt.translation.c_smt.state import Frame, LoopState, OutOfTime, Outcome  # noqa: F401
from veriopt.translation.c_smt.statements import LOCAL_ARRAY_LIMIT  # noqa: F401
from veriopt.translation.c_values import (  # noqa: F401 - re-exported for callers
    ADDR, IntV, PtrV, Value, Var, bv, cast_bits, char_value, compare, convert, int_literal,
    sext1)
