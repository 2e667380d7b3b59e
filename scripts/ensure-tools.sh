#!/usr/bin/env bash
# Installs the system tools veriopt uses beyond Python:
#   - clang-22 (matches llvmlite's LLVM 22), for lowering C;
#   - the runtime libraries of the bundled alive-tv (libllvm22, libz3-4),
#     when ../shared/tools/alive2 sits beside the repository and alive-tv
#     cannot start (it is the referee of the differential tests);
#   - chromium (headless), for the screenshot test of the HTML report.
# Missing and not installable: one clear line each; the setup never fails
# because of them (the IR verifier needs neither).
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)

can_apt() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq >/dev/null 2>&1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

# ---- clang-22 ----
if ! command -v clang-22 >/dev/null 2>&1; then
  if can_apt; then
    echo "installing clang-22 (Debian package) ..."
    apt_install clang-22
  fi
  if ! command -v clang-22 >/dev/null 2>&1; then
    echo "note: clang-22 not found and could not be installed (apt-get install clang-22);" \
         "C-level features will fall back to the system cc where they can." >&2
  fi
fi

# ---- alive-tv's runtime libraries ----
alive_dir="$(cd "$repo/.." && pwd)/shared/tools/alive2"
if [ -d "$alive_dir" ]; then
  alive="$alive_dir/run-alive-tv"
  [ -x "$alive" ] || alive="$alive_dir/alive-tv"
  alive_starts() { "$alive" --version >/dev/null 2>&1; }
  if ! alive_starts; then
    if can_apt; then
      echo "installing alive-tv's runtime libraries (Debian packages libllvm22 libz3-4) ..."
      apt_install libllvm22 libz3-4
    fi
    if ! alive_starts; then
      echo "note: alive-tv ($alive_dir) cannot start and its libraries could not be installed" \
           "(apt-get install -y libllvm22 libz3-4); the differential tests against it will be skipped." >&2
    fi
  fi
fi

# ---- chromium (headless screenshots of report.html) ----
if ! command -v chromium >/dev/null 2>&1; then
  if can_apt; then
    echo "installing chromium (Debian package) ..."
    apt_install chromium
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    echo "note: chromium not found and could not be installed (apt-get install chromium);" \
         "the screenshot test of the HTML report will be skipped." >&2
  fi
fi
exit 0
