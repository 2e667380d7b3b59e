"""LLVM IR integer semantics in SMT (values with poison, UB, undef)."""
from veriopt.translation.ir_smt.evaluate import evaluate
from veriopt.translation.ir_smt.function import Encoding, Inputs, encode_function

__all__ = ["Encoding", "Inputs", "encode_function", "evaluate"]
