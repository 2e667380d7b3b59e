"""Concrete execution of C code: the one place candidate C is compiled and
run (`compiled`, in a sandboxed child process with the limits of
`veriopt.limits`, through the test `harness`), and the replay of an SMT
counterexample on both functions (`replay`).

Differential fuzzing (`verify.fuzz`) and the symbolic check
(`verify.c_equiv`) both run code through here; neither imports the other.
The IR's own executor, the LLVM JIT oracle, stays in `veriopt.ir.jit`.
"""
from veriopt.verify.concrete.compiled import Binary, Result, describe, workdir  # noqa: F401
from veriopt.verify.concrete.harness import Case  # noqa: F401
