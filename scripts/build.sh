#!/bin/sh
# Configures and builds wtping out of tree in $BUILD (default _build).
# Extra arguments go to configure (e.g. --enable-sanitizers).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/_build}
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "$#" -gt 0 ]; then
  "$top/configure" -q "$@"
fi
make -s -j"$(nproc)"
