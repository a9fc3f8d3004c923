#!/bin/bash
# Layers point one way (docs/design.md):
#   common <- quic <- h3 <- wt <- ping <- programs (server, client, ctl)
#   cert (certificates for browsers, GnuTLS only) sits beside them: the server uses it
#   common <- disc (DNS-SD discovery) <- server, client
# Each folder of src/ may include its own headers and those of the layers
# below it, with two narrowings: ping sees WebTransport only (never quic or
# h3), and among the programs ctl includes neither server nor client, and
# server and client do not include each other. Includes are followed
# transitively, so a header that pulls in a forbidden one counts too (that
# is how "ping never includes quic" stays true through wt's headers).
#
# Usage: layers.sh [SRCDIR]   (the test runs it on the tree, then on a copy
# with a deliberate violation, which must be caught).
. "$(dirname "$0")/lib.sh"

# allowed FOLDER: the folders FOLDER may include from.
allowed() {
  case $1 in
  common) echo "common" ;;
  quic) echo "common quic" ;;
  h3) echo "common quic h3" ;;
  wt) echo "common quic h3 wt" ;;
  ping) echo "common wt ping" ;;
  cert) echo "common cert" ;; # certificates for browsers: GnuTLS only, beside the stack
  ctl) echo "common quic h3 wt ping ctl" ;;
  disc) echo "common disc" ;;
  server) echo "common quic h3 wt ping ctl cert disc server" ;;
  client) echo "common quic h3 wt ping ctl disc client" ;;
  bench) echo "common quic h3 wt ping client bench" ;; # wtping-bench: the client stack, not installed
  *) return 1 ;;
  esac
}

# load_includes FILE: INCLUDES[FILE] = its "folder/file.h" includes, one a
# line (read once per file).
declare -A INCLUDES
load_includes() {
  if [ -z "${INCLUDES[$1]+set}" ]; then
    INCLUDES[$1]=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\/[^"]*\)".*/\1/p' "$1")
  fi
}

# check_layers SRCDIR: prints one line per violation; returns 1 if any.
check_layers() {
  local src=$1 bad=0 f folder ok inc hdr
  local -A seen
  local -a todo
  for f in "$src"/*/*.[ch]; do
    folder=$(basename "$(dirname "$f")")
    if ! ok=" $(allowed "$folder") "; then
      echo "src/$folder: folder not in the layer table of $0"
      bad=1
      continue
    fi
    seen=()
    todo=("$f")
    while [ ${#todo[@]} -gt 0 ]; do
      local cur=${todo[0]}
      todo=("${todo[@]:1}")
      load_includes "$cur"
      while read -r inc; do
        [ -n "$inc" ] || continue
        if [[ $ok != *" ${inc%%/*} "* ]]; then
          if [ "$cur" = "$f" ]; then
            echo "${f#"$src"/}: includes $inc (src/$folder may include: $(allowed "$folder"))"
          else
            echo "${f#"$src"/}: includes $inc through ${cur#"$src"/} (src/$folder may include: $(allowed "$folder"))"
          fi
          bad=1
        fi
        hdr="$src/$inc"
        if [ -f "$hdr" ] && [ -z "${seen[$hdr]:-}" ]; then
          seen[$hdr]=1
          todo+=("$hdr")
        fi
      done <<<"${INCLUDES[$cur]}"
    done
  done
  return $bad
}

SRC=${1:-$top_srcdir/src}

out=$(check_layers "$SRC"); rc=$?
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
check "no folder of src/ includes a higher layer" [ $rc -eq 0 ]

# The check must catch what it is for: a copy of the tree with ping
# reaching into quic, directly and through a wt header, and h3 into wt.
if [ $# -eq 0 ]; then
  INCLUDES=()
  cp -r "$SRC" "$TMP/src"
  echo '#include "quic/quic_conn.h"' >>"$TMP/src/ping/ping_line.c"
  out=$(check_layers "$TMP/src"); rc=$?
  echo "$out" | sed 's/^/# /'
  check "a ping file including quic/quic_conn.h is caught" \
    grep -q '^ping/ping_line.c: includes quic/quic_conn.h' <<<"$out"

  INCLUDES=()
  cp -r "$SRC/." "$TMP/src/"
  sed -i 's|#include "wt/wt_session.h"|#include "wt/wt_conn.h"|' "$TMP/src/ping/ping_service.h"
  out=$(check_layers "$TMP/src"); rc=$?
  check "ping including wt_conn.h (which includes quic) is caught" \
    grep -q '^ping/ping_service.h: includes quic/quic_conn.h through wt/wt_conn.h' <<<"$out"

  INCLUDES=()
  cp -r "$SRC/." "$TMP/src/"
  echo '#include "wt/wt_session.h"' >>"$TMP/src/h3/h3_frame.h"
  out=$(check_layers "$TMP/src"); rc=$?
  check "an h3 header including wt is caught" grep -q '^h3/h3_frame.h: includes wt/wt_session.h' <<<"$out"

  INCLUDES=()
  cp -r "$SRC/." "$TMP/src/"
  sed -i '1i #include "server/server.h"' "$TMP/src/client/url.c"
  out=$(check_layers "$TMP/src"); rc=$?
  check "client including server is caught" grep -q '^client/url.c: includes server/server.h' <<<"$out"
fi
finish
