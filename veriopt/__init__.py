"""veriopt: a formal-verification-first optimizer for C and LLVM IR."""
__version__ = "0.1.0"
