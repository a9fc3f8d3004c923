#!/bin/bash
# scripts/demo.sh as the README's quick start runs it, minus install-deps.sh
# and the build (--no-build): both daemons from configuration files,
# wtpctl status of both, one-shot pings over a stream and over datagrams, a
# clean stop, and not one warning or error line in its output.
. "$(dirname "$0")/lib.sh"
port=$(free_udp_port)
# JOURNAL_STREAM makes every line the daemons log carry its syslog level.
JOURNAL_STREAM=test BUILD="$top_builddir" "$top_srcdir/scripts/demo.sh" --no-build \
  --port "$port" >"$TMP/out" 2>&1; rc=$?
sed 's/^/# /' "$TMP/out"
out=$(cat "$TMP/out")
check "exit 0" [ $rc -eq 0 ]
check "no line logged at warning level or worse" bash -c "! grep -Eq '^ *<[0-4]>' '$TMP/out'"
# status fields named "Errors" / "Last error" are data, not complaints
check "no line that warns or complains" bash -c "! grep -Ev '^(Errors|Last error) +: ' '$TMP/out' |
  grep -Eiq 'warn|error|no such file|disabled|denied|fail|cannot|unable'"
check "wtpctl status of the server" grep -q "^wtping-server (pid [0-9]*) is running$" <<<"$out"
check "the server answered the client daemon's pings" \
  grep -Eq "^Pings answered +: [1-9][0-9]* stream" <<<"$out"
check "wtpctl status of the client daemon" grep -q "^wtping-client (pid [0-9]*) is running$" <<<"$out"
check "the client daemon is connected" grep -Eq "^State +: connected$" <<<"$out"
check "one-shot pings over a stream" grep -q "stream mode" <<<"$out"
check "one-shot pings over datagrams" grep -q "datagram mode" <<<"$out"
check "both one-shot runs got their pongs" \
  [ "$(grep -c '^5 pings transmitted, 5 received, 0% loss' <<<"$out")" -eq 2 ]
check "both daemons stopped with exit status 0" \
  [ "$(grep -c '^wtping-[a-z]* (pid [0-9]*) stopped, exit status 0$' <<<"$out")" -eq 2 ]
dir=$(sed -n 's/^== Configuration in //p' <<<"$out")
check "the demo named its directory" [ -n "$dir" ]
check "its directory is removed" [ ! -e "$dir" ]
check "no daemon of the demo is left" [ -z "$(pgrep -f "${dir:-no-demo-dir}/")" ]
finish
