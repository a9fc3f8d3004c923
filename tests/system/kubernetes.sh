#!/bin/bash
# System test: the Kubernetes deployment of docs/kubernetes.md, proven as far
# as it can be without a cluster.
#
# 1. schema: every object in deploy/kubernetes validates against the
#    Kubernetes OpenAPI schemas offline (npm kubernetes-models, pinned by
#    tests/system/kubernetes/package-lock.json, installed once into the cache),
#    and names, labels, selectors, ports, volumes, the daemons' configuration,
#    probes, preStop and security settings agree across the objects
#    (tests/system/kubernetes/check-manifests.mjs); kubectl kustomize builds
#    the kustomization when kubectl is installed;
# 2. the .deb packages, built from this tree (dpkg-buildpackage -b, unit
#    tests left to make check);
# 3. the image: deploy/container/Containerfile built with podman (runc) on a
#    Debian 12 minbase root made with debootstrap (cached in
#    $WTPING_NSPAWN_CACHE/bookworm-minbase.tar) and imported; no systemd in
#    it, the uid of the manifests, every program the manifests run;
# 4. a container from it (read-only root, port published on 127.0.0.1)
#    answers wtping-client pings from the host; wtpctl status works through
#    podman exec; no sd_notify socket and nothing logged about it; memory
#    and CPU per ping under load (the figures behind the requests); SIGTERM
#    stops it cleanly (exit 0) within the grace period;
# 5. podman kube play of the server and client Deployments with their
#    ConfigMaps (tests/system/kubernetes/render-play.mjs prints each change
#    made for podman): dnsmasq on the podman network's gateway stands in for
#    CoreDNS and serves the SRV and A records the headless Service publishes
#    for the ready server pods; the client pod (the kubelet's resolv.conf
#    through dnsConfig) discovers the server pod through DNS SRV, verifies
#    its certificate against the SRV target's name and pings it; the metrics
#    sidecars serve Prometheus text; the liveness command passes on a
#    healthy server and fails on a stopped (SIGSTOP) one; the readiness
#    commands pass; a rolling-update rehearsal (a new pod ready first, the
#    old one out of DNS, wtpctl drain, SIGTERM) with the GOAWAY and reconnect
#    times, the client's downtime and lost pings within the plan's bounds,
#    and a new client UDP source port after the reconnect.
# Everything it creates (containers, pods, volumes, the network, the images,
# its dnsmasq, its temporary directory) is removed at the end; the caches
# stay.
#
# Needs root, podman, buildah-compatible podman build, runc, catatonit (the
# pause image of kube play), debootstrap, dpkg-buildpackage and the
# Build-Depends, node and npm (the npm registry, the first time), openssl,
# python3, dnsmasq (dnsmasq-base), Debian's apt mirror (debootstrap, apt-get
# in the image build).
# Exit 77 (skip) when something is missing, unless CI=true (then 1).
#
# Environment:
#   top_srcdir               source tree (default: two levels above this script)
#   WTPING_NSPAWN_CACHE      cache directory (default /var/cache/wtping-test)
#   WTPING_NSPAWN_MIRROR     Debian mirror (default: from /etc/apt/sources.list*)
#   WTPING_K8S_KEEP=1        keep the temporary directory on exit
set -u
export LC_ALL=C
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "must run as root"
for t in podman runc catatonit debootstrap node npm git dpkg-buildpackage dpkg-checkbuilddeps dpkg-deb \
         openssl python3 tar flock timeout sha256sum dnsmasq ss; do
  command -v "$t" >/dev/null 2>&1 ||
    skip "$t not found (scripts/install-deps.sh: podman runc catatonit debootstrap nodejs npm dpkg-dev debhelper dnsmasq-base)"
done
git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  skip "$top_srcdir is not a git checkout (the copy to build is the files git knows)"

T_START=$(now)
TMP=$(mktemp -d /var/tmp/wtping-k8s.XXXXXX)
chmod 755 "$TMP"
ROOT="$TMP/root"
KEEP=${WTPING_K8S_KEEP:-0}
ID="k8s$$"
K8S="$top_srcdir/deploy/kubernetes"
CFILE="$top_srcdir/deploy/container/Containerfile"
BASE_IMAGE="localhost/wtping-test-base:$ID"
IMAGE="localhost/wtping-test:$ID"
NET="wtping-$ID"
SRV_CTR="wtping-srv-$ID"
PAUSE_IMAGE=""
DNSMASQ_PID=""  # the stand-in for cluster DNS in part 5 (dns_serve)
dns_stop() {
  [ -n "$DNSMASQ_PID" ] || return 0
  kill -TERM "$DNSMASQ_PID" 2>/dev/null; wait "$DNSMASQ_PID" 2>/dev/null; DNSMASQ_PID=""
}
declare -A T  # phase times

# podman with runc and explicit limits (crun fails on these machines), from
# a configuration of our own: /etc/containers is left alone
cat >"$TMP/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$TMP/containers.conf"
pm() { timeout 120 podman "$@"; }

k8s_cleanup() {
  local rc=$? p v
  trap - EXIT INT TERM
  {
    dns_stop
    for p in $(podman pod ls -q --filter "name=-$ID" 2>/dev/null); do podman pod rm -f -t 2 "$p" >/dev/null 2>&1; done
    podman rm -f -t 2 "$SRV_CTR" >/dev/null 2>&1
    for v in $(podman volume ls -q 2>/dev/null | grep -- "-$ID\$"); do podman volume rm -f "$v" >/dev/null 2>&1; done
    podman network exists "$NET" 2>/dev/null && podman network rm -f "$NET" >/dev/null 2>&1
    podman image exists "$IMAGE" 2>/dev/null && podman rmi -f "$IMAGE" >/dev/null 2>&1
    podman image exists "$BASE_IMAGE" 2>/dev/null && podman rmi -f "$BASE_IMAGE" >/dev/null 2>&1
    # kube play builds its pause image when there is none: remove it if we made it
    [ -n "$PAUSE_IMAGE" ] && podman rmi "$PAUSE_IMAGE" >/dev/null 2>&1
    left=$( { podman ps -a --format '{{.Names}}'; podman pod ls --format '{{.Name}}'; podman volume ls -q
              podman network ls --format '{{.Name}}'; podman images --format '{{.Repository}}:{{.Tag}}'; } 2>/dev/null |
            grep -- "$ID" | paste -sd' ')
    [ -n "$left" ] && echo "# left behind: $left"
  }
  (exit "$rc")
  cleanup
}
trap k8s_cleanup EXIT
trap 'exit 130' INT TERM
note "source: $top_srcdir; work dir: $TMP; names end in $ID"
indent() { sed 's/^/#   /'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
# epoch seconds of an RFC 3339 time stamp (podman logs -t)
epoch() { date -d "$1" +%s.%N; }

# ---------------------------------------------------------------- 1. schema
t=$(now)
lockhash=$(cat "$here/kubernetes/package.json" "$here/kubernetes/package-lock.json" | sha256sum | cut -c1-16)
NODEDIR="$CACHE/node-k8s-$lockhash"
mkdir -p "$CACHE"
exec 8>"$CACHE/.node.lock"
flock 8
if [ ! -d "$NODEDIR/node_modules/kubernetes-models" ]; then
  rm -rf "$NODEDIR.tmp.$$" && mkdir -p "$NODEDIR.tmp.$$"
  cp "$here/kubernetes/package.json" "$here/kubernetes/package-lock.json" "$NODEDIR.tmp.$$/"
  if (cd "$NODEDIR.tmp.$$" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1; then
    rm -rf "$NODEDIR" && mv "$NODEDIR.tmp.$$" "$NODEDIR"
    pass "npm ci of the pinned kubernetes-models and yaml into $NODEDIR ($(since "$t") s)"
  else
    indent <"$TMP/npm.log" | tail -n 20
    rm -rf "$NODEDIR.tmp.$$"
    flock -u 8
    skip "npm ci of tests/system/kubernetes/package-lock.json failed (the npm registry is needed once)"
  fi
fi
flock -u 8
exec 8>&-
# (ES modules find their packages next to the script: run them from there)
cp "$here/kubernetes/"*.mjs "$NODEDIR/"
note "node $(node --version), kubernetes-models $(node -p 'require(process.argv[1]).version' "$NODEDIR/node_modules/kubernetes-models/package.json")"
node "$NODEDIR/check-manifests.mjs" "$K8S" "$CFILE" "$top_srcdir/docs/kubernetes.md" >"$TMP/check.log" 2>&1
rc=$?
grep -v '^programs:' "$TMP/check.log" | indent
check "deploy/kubernetes: schemas and cross-object consistency ($(grep -c '^ok' "$TMP/check.log") checks passed, $(grep -c '^not ok' "$TMP/check.log") failed)" [ $rc -eq 0 ]
PROGRAMS=$(sed -n 's/^programs: //p' "$TMP/check.log")
if command -v kubectl >/dev/null 2>&1; then
  if kubectl kustomize "$K8S" >"$TMP/kustomized.yaml" 2>"$TMP/kustomize.err"; then
    n=$(grep -c '^kind:' "$TMP/kustomized.yaml")
    check "kubectl kustomize deploy/kubernetes: $n objects, image set to $(grep -m1 'image:' "$TMP/kustomized.yaml" | awk '{ print $2 }')" \
      grep -q 'image: registry.example.org/wtping:0.1.0' "$TMP/kustomized.yaml"
  else
    indent <"$TMP/kustomize.err"; fail "kubectl kustomize deploy/kubernetes"
  fi
else
  note "kubectl not installed: kustomization.yaml checked by check-manifests.mjs only"
fi
T[schema]=$(since "$t")

# ---------------------------------------------------------------- 2. packages
t=$(now)
mkdir "$TMP/src"
git -C "$top_srcdir" ls-files -z --cached --others --exclude-standard |
  (cd "$top_srcdir" && while IFS= read -r -d '' f; do
     if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
   done) | sort -zu | tar -C "$top_srcdir" --null -T - -cf - | tar -C "$TMP/src" -xf - ||
  abort "copy of the source tree"
if ! (cd "$TMP/src" && dpkg-checkbuilddeps) >"$TMP/builddeps.log" 2>&1; then
  indent <"$TMP/builddeps.log"
  skip "Build-Depends of debian/control not installed (scripts/install-deps.sh)"
fi
if (cd "$TMP/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 900 dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1; then
  T[debs]=$(since "$t")
  pass "dpkg-buildpackage -us -uc -b (nocheck) (${T[debs]} s)"
else
  tail -n 30 "$TMP/build.log" | indent
  abort "dpkg-buildpackage -us -uc -b"
fi
CTX="$TMP/context"
mkdir "$CTX"
for p in wtping-common wtping-server wtping-client; do
  f=$(ls "$TMP/${p}_"*.deb 2>/dev/null | head -n 1)
  [ -n "$f" ] || abort "package $p built"
  cp "$f" "$CTX/"
  dpkg-deb -x "$f" "$TMP/x" || abort "dpkg-deb -x $f"
done
cp "$top_srcdir/deploy/container/"* "$CTX/"
note "build context: $(cd "$CTX" && ls | paste -sd' ')"

# ---------------------------------------------------------------- 3. image
t=$(now)
# the cached minbase root (no extra packages) as it is: podman imports the tarball
TARBALL="$CACHE/$SUITE-minbase.tar"
if [ -f "$TARBALL" ] && [ -f "$CACHE/$SUITE-minbase.packages" ] && [ -z "$(cat "$CACHE/$SUITE-minbase.packages")" ]; then
  pass "Debian $SUITE minbase root from the cache $TARBALL"
else
  ROOT_CACHE_NAME=$SUITE-minbase root_from_cache ""
  rm -rf --one-file-system "$ROOT"
fi
pm image exists localhost/podman-pause:"$(podman version --format '{{.Client.Version}}')-0" ||
  PAUSE_IMAGE="localhost/podman-pause:$(podman version --format '{{.Client.Version}}')-0"
if pm import "$TARBALL" "$BASE_IMAGE" >"$TMP/import.log" 2>&1; then
  pass "podman import of the Debian $SUITE minbase root as $BASE_IMAGE"
else
  indent <"$TMP/import.log"; abort "podman import"
fi
tb=$(now)
if timeout 600 podman build --runtime runc --layers=false --force-rm -f "$CTX/Containerfile" \
     --build-arg BASE="$BASE_IMAGE" -t "$IMAGE" "$CTX" >"$TMP/image.log" 2>&1; then
  T[image_build]=$(since "$tb")
  pass "podman build deploy/container/Containerfile -> $IMAGE (${T[image_build]} s)"
else
  tail -n 40 "$TMP/image.log" | indent
  abort "podman build"
fi
T[image]=$(since "$t")
size=$(podman image inspect "$IMAGE" --format '{{.Size}}')
note "image: $((size / 1000000)) MB (base $(( $(podman image inspect "$BASE_IMAGE" --format '{{.Size}}') / 1000000 )) MB)"
user=$(podman image inspect "$IMAGE" --format '{{.Config.User}}')
check "image runs as $user (numeric, as runAsUser in the manifests)" [ "$user" = "10001:10001" ]
out=$(pm run --rm --read-only "$IMAGE" sh -c 'id -un; for p in '"$PROGRAMS"'; do command -v "$p" >/dev/null || echo "missing $p"; done
  command -v systemctl; test -e /lib/systemd/systemd && echo systemd; ls /etc/wtping/*.pem 2>/dev/null' 2>&1)
check "image: user wtping, every program the manifests run ($PROGRAMS), no systemd, no baked-in key${out:+: $(echo $out)}" [ "$out" = wtping ]

# ---------------------------------------------------------------- 4. one container
t=$(now)
# the names of the recommended Certificate (docs/kubernetes.md): the
# Services, and the headless Service's SRV targets <pod-ip-dashed>.HEADLESS
HEADLESS=wtping-server-headless.wtping.svc.cluster.local
SANS="DNS:localhost,DNS:wtping-server.wtping.svc.cluster.local,DNS:wtping-server.wtping.svc,DNS:*.$HEADLESS,IP:127.0.0.1,IP:::1"
mkdir -p "$TMP/tls" "$TMP/conf/tls"
(
  cd "$TMP/tls" &&
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=wtping test CA $ID" -keyout ca.key -out ca.crt &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=wtping-server" \
    -keyout tls.key -out tls.csr &&
  openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out tls.crt \
    -extfile <(printf '%s\n' "subjectAltName=$SANS" \
               basicConstraints=CA:FALSE extendedKeyUsage=serverAuth)
) >"$TMP/openssl.log" 2>&1 || { indent <"$TMP/openssl.log"; abort "test CA and server certificate"; }
cp "$TMP/tls/tls.crt" "$TMP/tls/tls.key" "$TMP/conf/tls/"
# the server refuses a private key that others can read (docs/security.md):
# the key belongs to the image's user, mode 0600, as a Secret volume with
# fsGroup would give it in a cluster
chmod 644 "$TMP/conf/tls/tls.crt"
chown 10001:10001 "$TMP/conf/tls/tls.key"
chmod 600 "$TMP/conf/tls/tls.key"
cat >"$TMP/conf/server.conf" <<'EOF'
listen = [ "[::]:4433" ];
certificate = "/etc/wtping/tls/tls.crt";
key = "/etc/wtping/tls/tls.key";
reset_secret = "";
EOF
PORT=$(free_udp_port)
CLIENT="$TMP/x/usr/bin/wtping-client"
if pm run -d --name "$SRV_CTR" --read-only -v "$TMP/conf:/etc/wtping:ro" -p "127.0.0.1:$PORT:4433/udp" \
     "$IMAGE" >"$TMP/run.log" 2>&1; then
  pass "podman run -d --read-only -p 127.0.0.1:$PORT:4433/udp $IMAGE"
else
  indent <"$TMP/run.log"; abort "podman run"
fi
srv_ready() { pm exec "$SRV_CTR" wtpctl -t 1 check --ready >/dev/null 2>&1; }
wait_for 10 srv_ready
check "wtpctl check --ready through podman exec ($(since "$t") s after the start)" srv_ready
out=$("$CLIENT" -c 5 -i 0.1 --cafile "$TMP/tls/ca.crt" "https://localhost:$PORT/wtping" 2>&1)
rc=$?
indent <<<"$out"
check "wtping-client on the host: 5 pongs from the container on 127.0.0.1:$PORT" \
  grep -q '^5 pings transmitted, 5 received' <<<"$out"
out=$(pm exec "$SRV_CTR" wtpctl status 2>&1)
rc=$?
indent <<<"$out"
check "podman exec $SRV_CTR wtpctl status: exit $rc, PID 1, running, 5 pings answered" \
  eval '[ $rc -eq 0 ] && grep -q "^PID *: 1$" <<<"$out" && grep -q "^Pings answered *: 5 stream" <<<"$out"'
env1=$(pm exec "$SRV_CTR" sh -c 'tr "\0" "\n" </proc/1/environ' | grep -E '^(NOTIFY_SOCKET|WATCHDOG_USEC|LISTEN_FDS)=')
# shellcheck disable=SC2034  # (used in the eval below)
logs=$(podman logs "$SRV_CTR" 2>&1)
check "no systemd around the daemon: no NOTIFY_SOCKET/WATCHDOG_USEC/LISTEN_FDS${env1:+ ($env1)}, nothing logged about them" \
  eval '[ -z "$env1" ] && ! grep -qiE "notify|watchdog|sd_listen" <<<"$logs"'
out=$(pm run --rm --read-only "$IMAGE" wtpctl -t 2 -s /run/wtping/server.sock check --live 2>&1)
rc=$?
check "the liveness command without a daemon: exit $rc (3: not running)" [ $rc -eq 3 ]

# load: the figures behind the resource requests
pid=$(podman inspect "$SRV_CTR" --format '{{.State.Pid}}')
hz=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
rss0=$(rss); c0=$(cpu)
p0=$(pm exec "$SRV_CTR" wtpctl -j -s /run/wtping/server.sock status | python3 -c 'import json,sys; print(json.load(sys.stdin)["pings"]["stream"])')
tl=$(now)
for _ in 1 2 3 4; do
  "$CLIENT" -q -i 0 -w 3 --cafile "$TMP/tls/ca.crt" "https://localhost:$PORT/wtping" >/dev/null 2>&1 &
done
sleep 1.5
rss_load=$(rss)
wait
dt=$(since "$tl")
c1=$(cpu)
p1=$(pm exec "$SRV_CTR" wtpctl -j -s /run/wtping/server.sock status | python3 -c 'import json,sys; print(json.load(sys.stdin)["pings"]["stream"])')
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
LOAD=$(awk -v p=$((p1 - p0)) -v c=$((c1 - c0)) -v hz="$hz" -v dt="$dt" 'BEGIN {
  printf "%d pings in %.1f s (%.0f/s), server CPU %.2f s = %.0f%% of a core, %.1f us per ping", p, dt, p / dt, c / hz, 100 * c / hz / dt, p ? 1e6 * c / hz / p : 0 }')
note "memory: RSS idle ${rss0} KiB, under 4 sessions ${rss_load} KiB, peak ${hwm} KiB"
note "load (4 wtping-client -i 0 on the host, 3 s): $LOAD"
check "the server answered pings under load ($((p1 - p0)))" [ $((p1 - p0)) -gt 100 ]

ts=$(now)
out=$(pm stop -t 10 "$SRV_CTR" 2>&1)
T[stop]=$(since "$ts")
code=$(podman inspect "$SRV_CTR" --format '{{.State.ExitCode}}')
podman logs "$SRV_CTR" 2>&1 | tail -n 3 | indent
check "podman stop -t 10 (SIGTERM): gone in ${T[stop]} s, exit code $code, 'stopped:' logged" \
  eval '[ "$code" = 0 ] && awk -v t="${T[stop]}" "BEGIN { exit !(t < 10) }" && podman logs "$SRV_CTR" 2>&1 | grep -q "stopped:"'
pm rm -f "$SRV_CTR" >/dev/null 2>&1
T[container]=$(since "$t")

# ---------------------------------------------------------------- 5. kube play
t=$(now)
# no DNS server of podman's own on the gateway (netavark's aardvark-dns would
# take port 53 there; CNI has none): the test's dnsmasq takes its place
pm network create --disable-dns "$NET" >"$TMP/net.log" 2>&1 || { indent <"$TMP/net.log"; abort "podman network create $NET"; }
GW=$(podman network inspect "$NET" --format '{{range .Subnets}}{{.Gateway}}{{end}}' 2>/dev/null)
[ -n "$GW" ] || GW=$(podman network inspect "$NET" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["subnets"][0]["gateway"])')
note "network $NET, gateway $GW (cluster DNS's stand-in)"
free_port() { python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])' "$1"; }
SMPORT=$(free_port tcp); CMPORT=$(free_port tcp); S2MPORT=$(free_port tcp)
# the TLS Secret of the pods: podman ignores fsGroup, so a Secret turned
# into a ConfigMap would give the key to everyone (0444), which the server
# refuses; a hostPath directory holds it the way a kubelet's Secret volume
# with fsGroup does (the key readable by the service only)
KTLS="$TMP/kube-tls"
mkdir -p "$KTLS"
cp "$TMP/tls/tls.crt" "$TMP/tls/tls.key" "$TMP/tls/ca.crt" "$KTLS/"
chmod 755 "$KTLS"
chmod 644 "$KTLS/tls.crt" "$KTLS/ca.crt"
chown 10001:10001 "$KTLS/tls.key"
chmod 600 "$KTLS/tls.key"
python3 - "$TMP/settings.json" <<EOF
import json, os, sys
tls = "$TMP/tls"
json.dump(dict(suffix="$ID", image="$IMAGE", gateway="$GW", tlsDir="$KTLS",
               serverMetricsPort=$SMPORT, clientMetricsPort=$CMPORT, server2MetricsPort=$S2MPORT,
               tlsCrt=open(tls + "/tls.crt").read(), tlsKey=open(tls + "/tls.key").read(),
               caCrt=open(tls + "/ca.crt").read(), resetSecret=os.urandom(24).hex()),
          open(sys.argv[1], "w"))
EOF
mkdir "$TMP/play"
node "$NODEDIR/render-play.mjs" "$K8S" "$TMP/play" "$TMP/settings.json" >"$TMP/render.log" 2>&1 ||
  { indent <"$TMP/render.log"; abort "render the manifests for podman kube play"; }
cat "$TMP/render.log"
S1="wtping-server-$ID-pod-0"; S2="wtping-server-$ID-2-pod-0"; CP="wtping-client-$ID-pod-0"
pod_ip() { podman inspect "$1" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' 2>/dev/null; }
# the SRV target name Kubernetes gives a pod without a hostname behind a
# headless Service: its address, dashed (CoreDNS's kubernetes plugin)
pod_name() { echo "${1//./-}.$HEADLESS"; }
# dns_serve IP...: dnsmasq (again) on the gateway, authoritative for
# cluster.local like CoreDNS, answering what the headless Service publishes
# for the ready pods IP...: SRV _wtping._udp.HEADLESS (priority 0, port
# 4433, the pod's name) and A records of the pod names; no TXT record (a
# Service publishes none), nothing for pods not listed (NXDOMAIN)
dns_serve() {
  local a args=()
  dns_stop
  for a in "$@"; do
    args+=(--srv-host="_wtping._udp.$HEADLESS,$(pod_name "$a"),4433,0,$((100 / $#))"
           --host-record="$(pod_name "$a"),$a")
  done
  dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address="$GW" --port=53 \
    --local=/cluster.local/ --user=root --log-queries --log-facility=- "${args[@]}" >>"$TMP/dnsmasq.log" 2>&1 &
  DNSMASQ_PID=$!
  wait_for 5 eval 'ss -Hlun "src $GW:53" | grep -q .'
}
tp=$(now)
if pm kube play --network "$NET" "$TMP/play/server.yaml" >"$TMP/play.log" 2>&1; then
  pass "podman kube play: the server Deployment with its ConfigMaps ($(since "$tp") s)"
else
  indent <"$TMP/play.log"; abort "podman kube play (server)"
fi
s1_ready() { pm exec "$S1-server" wtpctl -t 1 -s /run/wtping/server.sock check --ready >/dev/null 2>&1; }
wait_for 15 s1_ready
IP1=$(pod_ip "$S1-server")
# the endpoints controller puts a pod into the headless Service once it is ready
check "server pod ready at $IP1: into DNS as $(pod_name "$IP1")" eval 's1_ready && [ -n "$IP1" ] && dns_serve "$IP1"'
tc=$(now)
if pm kube play --network "$NET" "$TMP/play/client.yaml" >"$TMP/play-client.log" 2>&1; then
  pass "podman kube play: the client Deployment with its ConfigMaps ($(since "$tc") s)"
else
  indent <"$TMP/play-client.log"; abort "podman kube play (client)"
fi
cjson() { pm exec "$CP-client" wtpctl -j -s /run/wtping/client.sock "$@" 2>/dev/null; }
cfield() { cjson status | python3 -c 'import json,sys
d = json.load(sys.stdin)
for k in sys.argv[1:]: d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$@" 2>/dev/null; }
cstat() { cjson stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1" 2>/dev/null; }
client_up() { [ "$(cfield state)" = connected ] && [ "$(cfield received)" -gt 0 ] 2>/dev/null; }
wait_for 20 client_up
note "the client pod's resolv.conf: $(pm exec "$CP-client" cat /etc/resolv.conf 2>&1 | paste -sd';')"
check "the client pod pings the server pod found by DNS SRV ($(cfield targets 0 url) by $(cfield targets 0 source) -> $(cfield server), RTT $(cfield rtt_ms last) ms; $(since "$tc") s after kube play)" \
  eval 'client_up && [ "$(cfield targets 0 source)" = dns-srv ] && [ "$(cfield targets 0 url)" = "https://$(pod_name "$IP1"):4433/wtping" ]'
check "the client looked up the SRV records of _wtping._udp.$HEADLESS and the target's address (dnsmasq's log)" \
  eval 'grep -q "query\[SRV\] _wtping._udp.$HEADLESS from" "$TMP/dnsmasq.log" && grep -q "query\[A\] $(pod_name "$IP1") from" "$TMP/dnsmasq.log"'
pm exec "$CP-client" wtping-client -c 1 -W 3 --cafile /etc/wtping-ca/ca.crt "https://$IP1:4433/wtping" >"$TMP/byaddr.log" 2>&1
check "the certificate is verified by name: the pod's bare address is refused (exit $?: $(grep -m1 -io 'name mismatch.*' "$TMP/byaddr.log"))" \
  grep -qi 'name mismatch' "$TMP/byaddr.log"
sess=$(pm exec "$S1-server" wtpctl -j -s /run/wtping/server.sock sessions 2>/dev/null | python3 -c 'import json,sys; print(" ".join(s["peer"] for s in json.load(sys.stdin)["sessions"]))' 2>/dev/null)
check "the server pod has the client's session (peer $sess)" [ -n "$sess" ]
for pod in "$S1:$SMPORT:wtping_server_sessions_now" "$CP:$CMPORT:wtping_client_received"; do
  IFS=: read -r p mp metric <<<"$pod"
  m=$(python3 -c 'import sys, urllib.request
r = urllib.request.urlopen("http://%s:%s/metrics" % (sys.argv[1], sys.argv[2]), timeout=5)
print(r.status, r.headers.get("Content-Type")); print(r.read().decode())' "$GW" "$mp" 2>&1)
  check "metrics sidecar of $p: $(head -n 1 <<<"$m"), $(grep -m1 "^$metric" <<<"$m")" \
    eval 'head -n 1 <<<"$m" | grep -q "^200 text/plain; version=0.0.4" && grep -q "^$metric[a-z_]* [0-9]" <<<"$m"'
done
for c in "$S1-server:/run/wtping/server.sock" "$CP-client:/run/wtping/client.sock"; do
  IFS=: read -r ctr sock <<<"$c"
  pm exec "$ctr" wtpctl -t 2 -s "$sock" check --ready
  check "readiness command in $ctr: exit $? (podman ignores readinessProbe: run here)" [ $? -eq 0 ]
  hc=$(podman inspect "$ctr" --format '{{json .Config.Healthcheck.Test}}' 2>/dev/null)
  check "podman made the livenessProbe the health check of $ctr: $hc" \
    grep -qF '"wtpctl","-t","2","-s","'"$sock"'","check","--live"' <<<"$hc"
  pm healthcheck run "$ctr" >/dev/null 2>&1
  check "liveness probe (podman healthcheck run $ctr): exit $? (healthy)" [ $? -eq 0 ]
done
# memory of each container (its processes: PID 1 and its children), the
# figures behind the pods' requests and limits
ctr_rss() {
  local p
  p=$(podman inspect "$1" --format '{{.State.Pid}}' 2>/dev/null)
  [ -n "$p" ] && [ "$p" != 0 ] && ps -o rss= --pid "$p" --ppid "$p" | awk '{ s += $1 } END { print s }'
}
note "RSS in the pods (KiB): server $(ctr_rss "$S1-server"), its metrics sidecar $(ctr_rss "$S1-metrics")," \
     "client $(ctr_rss "$CP-client"), its metrics sidecar $(ctr_rss "$CP-metrics")"
spid=$(podman inspect "$S1-server" --format '{{.State.Pid}}')
kill -STOP "$spid"
th=$(now)
pm healthcheck run "$S1-server" >/dev/null 2>&1
rc=$?
kill -CONT "$spid"
check "liveness probe on the stopped (SIGSTOP) server: exit $rc (unhealthy) after $(since "$th") s" [ $rc -ne 0 ]
pm healthcheck run "$S1-server" >/dev/null 2>&1
check "liveness probe after SIGCONT: exit $? (healthy)" [ $? -eq 0 ]
wait_for 10 client_up
T[play]=$(since "$t")

# certificate renewal (cert-manager rewrites the Secret; the kubelet updates
# the volume): the metrics sidecar sees it and runs wtpctl reload; new
# connections get the new certificate, the client's session stays
rec_before=$(cstat reconnects)
tlsvol=$KTLS
(
  cd "$TMP/tls" &&
  openssl req -new -key tls.key -subj "/CN=wtping-server renewed" -out renewed.csr &&
  openssl x509 -req -in renewed.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out renewed.crt \
    -extfile <(printf '%s\n' "subjectAltName=$SANS" \
               basicConstraints=CA:FALSE extendedKeyUsage=serverAuth)
) >"$TMP/openssl2.log" 2>&1 || indent <"$TMP/openssl2.log"
tr=$(now)
[ -n "$tlsvol" ] && [ -f "$tlsvol/tls.crt" ] && cp "$TMP/tls/renewed.crt" "$tlsvol/tls.crt.new" && mv "$tlsvol/tls.crt.new" "$tlsvol/tls.crt"
reloaded() { podman logs "$S1-server" 2>&1 | grep -q 'configuration reloaded'; }
wait_for 10 reloaded
check "a renewed certificate in the TLS volume: the sidecar ran wtpctl reload ($(since "$tr") s)" reloaded
pin="sha256:$(openssl x509 -in "$TMP/tls/renewed.crt" -outform DER | openssl dgst -sha256 -binary | base64)"
out=$("$CLIENT" -c 1 -W 2 --pin "$pin" "https://$IP1:4433/wtping" 2>&1)
check "a new connection gets the renewed certificate (wtping-client --pin of it, from the host to the pod)" \
  grep -q '^1 pings transmitted, 1 received' <<<"$out"
check "the client pod's session survived the reload (reconnects $rec_before -> $(cstat reconnects))" \
  [ "$(cstat reconnects)" = "$rec_before" ]

# rolling update, in the Deployment's order (maxSurge 1, maxUnavailable 0):
# a new pod, ready; then the old one terminating: out of the headless
# Service (DNS) and preStop (drain, wait) at the same moment, then SIGTERM
t=$(now)
# the local ports of the client's UDP sockets (no ss in the image: /proc/net/udp)
udp_ports() { pm exec "$CP-client" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
  awk '$2 ~ /:/ { sub(/.*:/, "", $2); print $2 }' | while read -r h; do echo $((16#$h)); done | sort -u | paste -sd' '; }
sleep 1.2  # a ping or so on the settled connection
port_before=$(udp_ports)
tx0=$(cstat transmitted); rx0=$(cstat received); lost0=$(cstat lost); rec0=$(cstat reconnects); down0=$(cstat downtime_seconds)
tn=$(now)
pm kube play --network "$NET" "$TMP/play/server2.yaml" >"$TMP/play2.log" 2>&1 || { indent <"$TMP/play2.log"; fail "podman kube play of the new server pod"; }
new_ready() { pm exec "$S2-server" wtpctl -t 1 -s /run/wtping/server.sock check --ready >/dev/null 2>&1; }
wait_for 15 new_ready
READY_S=$(since "$tn")
IP2=$(pod_ip "$S2-server")
check "the new (surge) pod ready at $IP2, ${READY_S} s after kube play; the client still on the old one ($(cfield state))" \
  eval 'new_ready && [ -n "$IP2" ] && [ "$IP2" != "$IP1" ] && [ "$(cfield state)" = connected ]'
check "the old pod terminating: out of the headless Service, DNS answers $(pod_name "$IP2") only" eval '[ -n "$IP2" ] && dns_serve "$IP2"'
out=$(pm exec "$S1-server" wtpctl -t 2 -s /run/wtping/server.sock drain 2>&1)
check "preStop's wtpctl drain: $out" [ $? -eq 0 ]
goaway() { podman logs -t "$CP-client" 2>&1 | grep -q 'the server is draining'; }
wait_for 5 goaway
t_drain=$(podman logs -t "$S1-server" 2>&1 | awk '/draining: GOAWAY/ { print $1; exit }')
t_goaway=$(podman logs -t "$CP-client" 2>&1 | awk '/the server is draining/ { print $1; exit }')
GOAWAY_MS=$( [ -n "$t_drain" ] && [ -n "$t_goaway" ] && ms "$(epoch "$t_drain")" "$(epoch "$t_goaway")")
check "the client got the GOAWAY ${GOAWAY_MS:-?} ms after the server's drain (log time stamps)" [ -n "$GOAWAY_MS" ]
state=$(pm exec "$S1-server" wtpctl -j -s /run/wtping/server.sock status 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
check "the draining server still answers its session: state $state, client $(cfield state)" \
  eval '[ "$state" = draining ] && [ "$(cfield state)" = connected ]'
sleep 1  # the preStop's wait for the endpoints to go (5 s in the manifest; here DNS changed already)
grace=$(awk '/terminationGracePeriodSeconds/ { print $2; exit }' "$K8S/server-deployment.yaml")
ts=$(now)
pm pod stop -t "$grace" "$S1" >"$TMP/podstop.log" 2>&1
T_STOP=$(since "$ts")
codes=$(for c in server metrics; do podman inspect "$S1-$c" --format '{{.State.ExitCode}}'; done | paste -sd' ')
t_term=$(podman logs -t "$S1-server" 2>&1 | awk '/Terminated: closing/ { print $1; exit }')
t_gone=$(podman logs -t "$S1-server" 2>&1 | awk '/stopped: / { print $1; exit }')
t_closed=$(podman logs -t "$CP-client" 2>&1 | awk '/the server closed the session: code 1/ { print $1; exit }')
EXIT_MS=$(ms "$(epoch "$t_term")" "$(epoch "$t_gone")" 2>/dev/null)
CLOSE_MS=$(ms "$(epoch "$t_term")" "$(epoch "$t_closed")" 2>/dev/null)
check "pod stop (SIGTERM, grace $grace s): ${T_STOP} s, exit codes $codes; server exited ${EXIT_MS} ms after SIGTERM; the client saw the close (code 1) after ${CLOSE_MS} ms" \
  eval '[ "$codes" = "0 0" ] && [ -n "$t_gone" ] && [ -n "$t_closed" ]'
client_back() {
  [ "$(cstat reconnects)" -gt "$rec0" ] && [ "$(cfield state)" = connected ] && [ "$(cstat received)" -gt "$rx0" ] &&
    [ "$(cfield targets 0 url)" = "https://$(pod_name "$IP2"):4433/wtping" ]
} 2>/dev/null
wait_for 15 client_back
check "the client found the new pod by DNS SRV and pings it ($(cfield targets 0 url) -> $(cfield server))" client_back
t_back=$(podman logs -t "$CP-client" 2>&1 | awk '/reconnected to/ { t = $1 } END { print t }')
sleep 1.2
tx1=$(cstat transmitted); rx1=$(cstat received); lost1=$(cstat lost); down1=$(cstat downtime_seconds)
port_after=$(udp_ports)
sess2=$(pm exec "$S2-server" wtpctl -j -s /run/wtping/server.sock sessions 2>/dev/null | python3 -c 'import json,sys; print(" ".join(s["peer"] for s in json.load(sys.stdin)["sessions"]))' 2>/dev/null)
note "the old server's log from the drain on (podman logs -t):"
podman logs -t "$S1-server" 2>&1 | awk -v t="$t_drain" '$1 >= t' | grep -v 'level=' | tail -n 8 | indent
note "the client's log of the update (podman logs -t):"
podman logs -t "$CP-client" 2>&1 | awk -v t="$t_drain" '$1 >= t' | grep -v 'level=' | tail -n 12 | indent
LOST=$((lost1 - lost0))
DOWN=$(awk -v a="$down0" -v b="$down1" 'BEGIN { printf "%.3f", b - a }')
BACK_MS=$( [ -n "$t_closed" ] && [ -n "$t_back" ] && ms "$(epoch "$t_closed")" "$(epoch "$t_back")")
note "rolling update: new pod ready ${READY_S} s after kube play; GOAWAY ${GOAWAY_MS} ms after drain; server gone ${EXIT_MS} ms after SIGTERM;" \
     "client reconnected to the new pod ${BACK_MS} ms after the close (log time stamps); downtime ${DOWN} s;" \
     "pings sent $((tx1 - tx0)), answered $((rx1 - rx0)), lost $LOST"
# the plan (docs/kubernetes.md, "Rolling updates"): the new pod is ready and
# in DNS before the old one closes, so the client is down for one reconnect
# (its SRV and address lookups and one QUIC + HTTP/3 handshake: milliseconds);
# 1.5 s leaves room for one lost Initial (retransmitted after about 1 s) on a
# busy machine. It loses at most the ping in flight at the close (no pings
# are sent while there is no session).
BOUND=1.5
check "downtime ${DOWN} s <= ${BOUND} s (the plan's bound: one reconnect)" \
  eval '[ "$(cstat reconnects)" -gt "$rec0" ] && awk -v d="$DOWN" -v b="$BOUND" "BEGIN { exit !(d > 0 && d <= b) }"'
check "lost pings across the update: $LOST <= 1 (the plan's bound)" [ "$LOST" -le 1 ]
check "the reconnect used a new UDP socket: client source port $port_before -> $port_after (new server sees $sess2)" \
  eval '[ -n "$port_before" ] && [ -n "$port_after" ] && [ "$port_before" != "$port_after" ]'
T[rolling]=$(since "$t")

t=$(now)
dns_stop
pm kube down "$TMP/play/server2.yaml" >/dev/null 2>&1
pm kube down "$TMP/play/client.yaml" >"$TMP/down.log" 2>&1 || indent <"$TMP/down.log"
pm kube down "$TMP/play/server.yaml" >>"$TMP/down.log" 2>&1 || indent <"$TMP/down.log"
for v in $(podman volume ls -q | grep -- "-$ID\$"); do podman volume rm -f "$v" >/dev/null 2>&1; done
pm network rm -f "$NET" >/dev/null 2>&1
left=$( { podman ps -a --format '{{.Names}}'; podman pod ls --format '{{.Name}}'; podman volume ls -q; podman network ls --format '{{.Name}}'; } | grep -- "$ID" | paste -sd' ')
check "kube down, volumes and network removed: nothing of this run left${left:+ ($left)}" [ -z "$left" ]
T[down]=$(since "$t")

note "times (s): schema ${T[schema]}, debs ${T[debs]}, image ${T[image]} (build ${T[image_build]}), container ${T[container]}," \
     "kube play ${T[play]}, rolling update ${T[rolling]}, teardown ${T[down]}"
finish
