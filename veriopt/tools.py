"""The LLVM tools veriopt runs, by name: Debian's clang-22 and opt-22 match
llvmlite's LLVM 22, so the IR they print parses here. Ground floor: any
layer may name a tool."""
CLANG = "clang-22"
OPT = "opt-22"
