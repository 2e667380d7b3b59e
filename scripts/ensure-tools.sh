#!/usr/bin/env bash
# Installs the system tools veriopt uses beyond Python: clang-22 (matches
# llvmlite's LLVM 22) for lowering C. Missing and not installable: one clear
# message; the IR verifier works without it.
set -u
if command -v clang-22 >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing clang-22 (Debian package) ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-22) >/dev/null 2>&1 \
    && exit 0
fi
echo "note: clang-22 not found and could not be installed (apt-get install clang-22);" \
     "C-level features will fall back to the system cc where they can." >&2
exit 0
