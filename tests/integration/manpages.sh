#!/bin/bash
# The manual pages in man/: mandoc -Tlint finds nothing to say, the OPTIONS
# sections list exactly the options of --help (and wtpctl's COMMANDS its
# subcommands), and the .conf pages document exactly the settings that the
# configuration loaders accept.
# Automake passes top_builddir and top_srcdir; both default to ../.. of
# this script. Exit 0: pass, 1: fail, 77: skip (mandoc is missing and CI is
# not "true").
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$(cd "$here/../.." && pwd)}"
MAN="$top_srcdir/man"
PAGES="wtping-server.8 wtping-client.8 wtpctl.1 wtping-server.conf.5 wtping-client.conf.5"

PASSES=0
FAILS=0
pass() { echo "ok - $*"; PASSES=$((PASSES + 1)); }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ] && exit 0
  exit 1
}

if ! command -v mandoc >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "not ok - mandoc is not installed (apt-get install mandoc)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "SKIP: mandoc is not installed"
  exit 77
fi

# render PAGE: the page as plain text (no overstrike, no tabs).
render() { mandoc -Tascii "$1" | sed -e 's/.\x08//g'; }

# section NAME: the body of section NAME of a rendered page on stdin.
section() { awk -v s="$1" '$0 == s { f = 1; next } f && /^[^ ]/ { exit } f'; }

# spec: each line on stdin without its indentation and cut at the first two
# spaces: the option or command part of a --help line or of a tag, without
# the description.
spec() { sed -e 's/^ *//' -e 's/  .*//'; }

# opt_tokens: the -x and --name tokens of option specs on stdin, one a line.
opt_tokens() {
  spec | grep -oE '(^|[][ ,|])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -e 's/^[][ ,|]//' | sort -u
}

# same_set WHAT A B: pass when the sorted lists A and B are equal, else
# fail naming what is missing on each side.
same_set() {
  local what=$1 a=$2 b=$3 only_a only_b
  only_a=$(comm -23 <(printf '%s\n' "$a") <(printf '%s\n' "$b") | tr '\n' ' ')
  only_b=$(comm -13 <(printf '%s\n' "$a") <(printf '%s\n' "$b") | tr '\n' ' ')
  if [ -z "$a" ]; then
    fail "$what: nothing found"
  elif [ -z "$only_a$only_b" ]; then
    pass "$what"
  else
    fail "$what: only in the first: [${only_a% }], only in the second: [${only_b% }]"
  fi
}

# ---------------------------------------------------------------- 1. lint
for p in $PAGES; do
  if [ ! -f "$MAN/$p" ]; then
    fail "$p exists"
    continue
  fi
  out=$(mandoc -Tlint -W warning "$MAN/$p" 2>&1)
  if [ -z "$out" ]; then
    pass "mandoc -Tlint -W warning $p is silent"
  else
    fail "mandoc -Tlint -W warning $p:"
    printf '%s\n' "$out" | sed 's/^/#   /'
  fi
done

# ---------------------------------------------------------------- 2. options
# help_opts PROGRAM: the options of PROGRAM --help (for wtpctl only those of
# its "Options:" block).
help_opts() {
  local prog=$1
  "$top_builddir/$prog" --help | awk -v p="$prog" '
    p == "wtpctl" && /^Options:/ { f = 1; next }
    p == "wtpctl" && /^Commands:/ { f = 0 }
    p != "wtpctl" || f' | grep -E '^ {2,6}-' | opt_tokens
}

# page_opts PAGE: the options tagged in the OPTIONS section of PAGE.
page_opts() { render "$1" | section OPTIONS | grep -E '^ {5}-' | opt_tokens; }

for pair in wtping-server:wtping-server.8 wtping-client:wtping-client.8 wtpctl:wtpctl.1; do
  prog=${pair%%:*}
  page=${pair#*:}
  if [ ! -x "$top_builddir/$prog" ]; then
    fail "$top_builddir/$prog is built"
    continue
  fi
  [ -f "$MAN/$page" ] || continue
  help=$(help_opts "$prog")
  doc=$(page_opts "$MAN/$page")
  same_set "$prog: long options of --help = those of $page's OPTIONS" \
    "$(grep -- '^--' <<<"$help")" "$(grep -- '^--' <<<"$doc")"
  same_set "$prog: short options of --help = those of $page's OPTIONS" \
    "$(grep -v -- '^--' <<<"$help")" "$(grep -v -- '^--' <<<"$doc")"
  # Anywhere in the page, as rendered text.
  text=$(render "$MAN/$page")
  missing=""
  for o in $help; do
    grep -q -e "$o\\b" <<<"$text" || missing="$missing $o"
  done
  if [ -z "$missing" ]; then
    pass "$prog: every option of --help is in $page"
  else
    fail "$prog: options of --help missing from $page:$missing"
  fi
done

# wtpctl's subcommands: the "Commands:" block of --help against the tags of
# the COMMANDS section, names and the arguments shown with them.
if [ -x "$top_builddir/wtpctl" ] && [ -f "$MAN/wtpctl.1" ]; then
  cmds_help=$("$top_builddir/wtpctl" --help |
    awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f' | grep -E '^  [a-z]' | spec)
  cmds_page=$(render "$MAN/wtpctl.1" | section COMMANDS | grep -E '^ {5}[a-z]' | spec)
  same_set "wtpctl: subcommands of --help = the COMMANDS of wtpctl.1" \
    "$(awk '{ print $1 }' <<<"$cmds_help" | sort -u)" \
    "$(awk '{ print $1 }' <<<"$cmds_page" | sort -u)"
  same_set "wtpctl: subcommand options of --help = those in the COMMANDS of wtpctl.1" \
    "$(sed -E 's/^[a-z]+ *//' <<<"$cmds_help" | opt_tokens)" \
    "$(sed -E 's/^[a-z]+ *//' <<<"$cmds_page" | opt_tokens)"
fi

# ---------------------------------------------------------------- 3. settings
# src_keys FILE: the names in the allowed-keys array of a config loader.
src_keys() {
  sed -n '/_keys\[\] = {/,/};/p' "$1" | grep -oE '"[a-z_0-9]+"' | tr -d '"' | sort -u
}
# conf_keys FILE: the settings shown in an example configuration file.
conf_keys() { sed -nE 's/^#?([a-z_0-9]+) = .*/\1/p' "$1" | sort -u; }
# page_keys PAGE: the settings tagged "name = ..." in DESCRIPTION.
page_keys() { render "$1" | section DESCRIPTION | sed -nE 's/^ {5}([a-z_0-9]+) = .*/\1/p' | sort -u; }

for who in server client; do
  src="$top_srcdir/src/$who/${who}_config.c"
  page="$MAN/wtping-$who.conf.5"
  [ -f "$page" ] || continue
  keys=$(src_keys "$src")
  doc=$(page_keys "$page")
  same_set "wtping-$who: settings of ${who}_config.c = those of wtping-$who.conf.5" "$keys" "$doc"
  if [ -f "$top_srcdir/etc/$who.conf" ]; then
    same_set "wtping-$who: settings of etc/$who.conf = those of wtping-$who.conf.5" \
      "$(conf_keys "$top_srcdir/etc/$who.conf")" "$doc"
  fi
done

finish
