#!/bin/sh
# Installs what wtping needs to build and test on Debian 12 (bookworm).
set -eu
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential autoconf automake libtool pkg-config \
  libngtcp2-dev libngtcp2-crypto-gnutls-dev libnghttp3-dev libgnutls28-dev \
  libsystemd-dev libconfig-dev libcmocka-dev libjson-c-dev \
  openssl python3 procps util-linux mandoc nftables iproute2 chromium debootstrap systemd-container \
  dpkg-dev debhelper fakeroot lintian git >/dev/null
# tests/system/kubernetes.sh: the image and podman kube play (runc: crun fails
# on these machines; catatonit: kube play's pause image), node and npm for the
# offline schema checks (any node >= 18; keep one that is installed already)
$SUDO apt-get install -y -qq --no-install-recommends podman runc catatonit >/dev/null
command -v npm >/dev/null 2>&1 ||
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
# Firefox for the ping page's smoke test (tests/interop/page.sh; optional there)
$SUDO apt-get install -y -qq --no-install-recommends firefox-esr >/dev/null
# DNS-SD discovery (issue 11): Avahi client library and daemon, avahi-browse,
# D-Bus for the daemons in the tests' namespaces, dnsmasq for SRV/TXT
$SUDO apt-get install -y -qq --no-install-recommends \
  libavahi-client-dev avahi-daemon avahi-utils dbus dnsmasq-base >/dev/null
# tests/bench/profile.sh (issue 14): callgrind and massif, perf tracepoints
$SUDO apt-get install -y -qq --no-install-recommends valgrind linux-perf >/dev/null
# make fuzz (libFuzzer harnesses, tests/fuzz): clang and its runtimes
$SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null

# tests/integration/handshake_flood.py: QUIC Initial keys (HKDF, AES-GCM)
$SUDO apt-get install -y -qq --no-install-recommends python3-cryptography >/dev/null
