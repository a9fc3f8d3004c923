#!/bin/sh
# Installs the dependencies, builds, and shows wtping working on loopback:
# a server with a fresh self-signed certificate and five pings from the
# client over a stream, then five over datagrams.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
b=${BUILD:-$top/_build}
tmp=$(mktemp -d)
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 10 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" 2>/dev/null
"$b/wtping-server" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
  --listen 127.0.0.1:4433 --listen '[::1]:4433' &
srv=$!
sleep 0.5
"$b/wtping-client" -c 5 -i 0.2 --cafile "$tmp/cert.pem" https://localhost:4433/wtping
echo
"$b/wtping-client" -c 5 -i 0.2 -m datagram --cafile "$tmp/cert.pem" https://localhost:4433/wtping
