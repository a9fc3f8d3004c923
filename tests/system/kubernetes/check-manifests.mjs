// Offline checks of deploy/kubernetes (run by tests/system/kubernetes.sh):
//
//   node check-manifests.mjs DIR CONTAINERFILE [docs/kubernetes.md]
//
// 1. every document of every *.yaml in DIR parses (YAML 1.1, as Kubernetes
//    reads it) and validates against the Kubernetes OpenAPI schema of its
//    kind (kubernetes-models, validate()); a deliberately broken copy must
//    fail, so the validator is known to work;
// 2. the objects agree with each other: names, namespace, labels and
//    selectors, ports and their names/protocols, volumes and the ConfigMaps
//    and Secrets they name, the daemons' configuration (listen port, control
//    socket, certificate and secret paths) against mounts, probes, preStop
//    and the metrics sidecar; the client's DNS SRV discovery against the
//    headless Service (the SRV name from its name, namespace, port name and
//    protocol; the port; the path without a TXT record) and the certificate
//    names of the recommended Certificate in docs/kubernetes.md (the SRV
//    targets' wildcard); security settings, the uid of the image, the grace
//    period, the kustomization's resources.
//
// Prints TAP-like lines ("ok - ..." / "not ok - ..."), then on the last line
// "programs: P1 P2 ..." (every program the manifests run, for the caller to
// find in the image). Exit status 1 if anything failed.
import { readFileSync, readdirSync } from "node:fs";
import { join, basename, dirname } from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";

const [dir, containerfile, docs] = process.argv.slice(2);
if (!dir || !containerfile) {
  console.error("usage: node check-manifests.mjs DIR CONTAINERFILE [DOCS.md]");
  process.exit(2);
}

let fails = 0;
let passes = 0;
const ok = (cond, what) => {
  if (cond) {
    passes++;
    console.log(`ok - ${what}`);
  } else {
    fails++;
    console.log(`not ok - ${what}`);
  }
  return cond;
};

// ------------------------------------------------------------ 1. parse, validate
const MODELS = {
  "v1/Namespace": "v1/Namespace",
  "v1/ConfigMap": "v1/ConfigMap",
  "v1/Secret": "v1/Secret",
  "v1/Service": "v1/Service",
  "apps/v1/Deployment": "apps/v1/Deployment",
  "apps/v1/DaemonSet": "apps/v1/DaemonSet",
  "policy/v1/PodDisruptionBudget": "policy/v1/PodDisruptionBudget",
  "autoscaling/v2/HorizontalPodAutoscaler": "autoscaling/v2/HorizontalPodAutoscaler",
  "networking.k8s.io/v1/NetworkPolicy": "networking.k8s.io/v1/NetworkPolicy",
};
async function model(apiVersion, kind) {
  const path = MODELS[`${apiVersion}/${kind}`];
  if (!path) return null;
  const mod = await import(`kubernetes-models/${path}`);
  return mod[kind];
}

const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
const objs = []; // { file, obj }
let kustomization = null;
for (const f of files) {
  const text = readFileSync(join(dir, f), "utf8");
  const docs = YAML.parseAllDocuments(text, { version: "1.1" });
  let good = true;
  for (const d of docs) {
    if (d.errors.length) {
      good = false;
      console.log(`# ${f}: ${d.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const o = d.toJS();
    if (o === null) continue;
    if (f === "kustomization.yaml") kustomization = o;
    else objs.push({ file: f, obj: o });
  }
  ok(good, `${f}: parses as YAML 1.1 (${docs.length} document(s))`);
}

for (const { file, obj } of objs) {
  const what = `${file}: ${obj.kind} ${obj.metadata?.name}`;
  const M = await model(obj.apiVersion, obj.kind);
  if (!ok(M, `${what}: a known kind (${obj.apiVersion})`)) continue;
  try {
    new M(obj).validate();
    ok(true, `${what}: valid against the ${obj.apiVersion} ${obj.kind} schema`);
  } catch (e) {
    ok(false, `${what}: valid against the ${obj.apiVersion} ${obj.kind} schema: ${e.message}`);
  }
}

// the validator itself rejects what the API server would
{
  const dep = objs.find((x) => x.obj.kind === "Deployment" && x.obj.metadata.name === "wtping-server")?.obj;
  const bad = structuredClone(dep);
  bad.spec.template.spec.containers[0].ports[0].containerPort = "4433";
  delete bad.spec.selector;
  const M = await model("apps/v1", "Deployment");
  let rejected = false;
  try {
    new M(bad).validate();
  } catch {
    rejected = true;
  }
  ok(rejected, "validate() rejects a Deployment with a string containerPort and no selector");
}

// ------------------------------------------------------------ 2. consistency
const byKind = (k) => objs.filter((x) => x.obj.kind === k).map((x) => x.obj);
const one = (k, name) => byKind(k).find((o) => o.metadata.name === name);
const nsObj = byKind("Namespace")[0];
const NS = nsObj?.metadata?.name;
ok(NS === "wtping", `one Namespace: ${NS}`);
for (const { file, obj } of objs) {
  if (obj.kind === "Namespace") continue;
  ok(obj.metadata.namespace === NS, `${file}: ${obj.kind} ${obj.metadata.name} in namespace ${NS}`);
  ok(obj.metadata.labels?.["app.kubernetes.io/name"] === "wtping",
     `${file}: ${obj.kind} ${obj.metadata.name} labelled app.kubernetes.io/name=wtping`);
}

// kustomization: every manifest but the templates and the alternatives
const NOT_IN_KUSTOMIZATION = { "secrets-template.yaml": "templates of key material", "client-daemonset.yaml": "the alternative to client-deployment.yaml" };
if (ok(kustomization, "kustomization.yaml present")) {
  const want = files.filter((f) => f !== "kustomization.yaml" && !NOT_IN_KUSTOMIZATION[f]);
  ok(isDeepStrictEqual([...kustomization.resources].sort(), want),
     `kustomization.yaml resources are every manifest but ${Object.keys(NOT_IN_KUSTOMIZATION).join(", ")}: ${kustomization.resources.join(" ")}`);
  ok(kustomization.namespace === NS, `kustomization.yaml namespace ${kustomization.namespace}`);
  ok((kustomization.images || []).some((i) => i.name === "wtping"), "kustomization.yaml sets the image wtping");
}

const matches = (sel, labels) => sel && Object.keys(sel).length > 0 &&
  Object.entries(sel).every(([k, v]) => labels?.[k] === v);
const workloads = [...byKind("Deployment"), ...byKind("DaemonSet")];
for (const w of workloads) {
  ok(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels),
     `${w.kind} ${w.metadata.name}: selector matches its pod template's labels`);
}
const server = one("Deployment", "wtping-server");
const clientDep = one("Deployment", "wtping-client");
const clientDs = one("DaemonSet", "wtping-client");
ok(server && clientDep && clientDs, "Deployment wtping-server, Deployment and DaemonSet wtping-client");
const serverPod = server.spec.template;
const clientPod = clientDep.spec.template;
for (const w of workloads) {
  for (const v of workloads) {
    if (w.metadata.name !== v.metadata.name)
      ok(!matches(w.spec.selector.matchLabels, v.spec.template.metadata.labels),
         `${w.kind} ${w.metadata.name}'s selector does not take ${v.kind} ${v.metadata.name}'s pods`);
  }
}
{
  const a = structuredClone(clientDep.spec.template);
  const b = structuredClone(clientDs.spec.template);
  delete a.spec.topologySpreadConstraints;
  ok(isDeepStrictEqual(a, b), "client DaemonSet and Deployment: the same pod template (but the spread)");
  ok(isDeepStrictEqual(clientDep.spec.selector, clientDs.spec.selector), "client DaemonSet and Deployment: the same selector");
}

const container = (pod, name) => pod.spec.containers.find((c) => c.name === name);
const srv = container(serverPod, "server");
const cli = container(clientPod, "client");
ok(srv && cli, "containers server and client");
const portNamed = (c, name) => (c.ports || []).find((p) => p.name === name);
const wtPort = portNamed(srv, "wtping");
ok(wtPort && wtPort.protocol === "UDP", `server container port "wtping" is UDP ${wtPort?.containerPort}`);

// Services
const svc = one("Service", "wtping-server");
const headless = one("Service", "wtping-server-headless");
ok(svc && headless, "Services wtping-server and wtping-server-headless");
for (const s of [svc, headless]) {
  ok(matches(s.spec.selector, serverPod.metadata.labels) && !matches(s.spec.selector, clientPod.metadata.labels),
     `Service ${s.metadata.name} selects the server pods and only them`);
  for (const p of s.spec.ports) {
    const target = typeof p.targetPort === "string" ? portNamed(srv, p.targetPort)
      : (srv.ports || []).find((q) => q.containerPort === (p.targetPort ?? p.port));
    ok(target && target.protocol === p.protocol,
       `Service ${s.metadata.name} port ${p.name} ${p.port}/${p.protocol} -> container port ${target?.name} ${target?.containerPort}/${target?.protocol}`);
  }
  const srvPort = s.spec.ports.find((p) => p.name === "wtping");
  ok(srvPort && srvPort.protocol === "UDP",
     `Service ${s.metadata.name}: a UDP port named "wtping" (SRV _wtping._udp.${s.metadata.name}.${NS}.svc.cluster.local)`);
}
ok(headless.spec.clusterIP === "None", "wtping-server-headless is headless (clusterIP: None): SRV records name the pods");
ok(!headless.spec.publishNotReadyAddresses, "headless Service publishes ready pods only");
ok(isDeepStrictEqual(svc.spec.ports, headless.spec.ports) && isDeepStrictEqual(svc.spec.selector, headless.spec.selector),
   "both Services: the same selector and ports");

// PDB, HPA
const pdb = byKind("PodDisruptionBudget")[0];
ok(pdb && matches(pdb.spec.selector.matchLabels, serverPod.metadata.labels) &&
   !matches(pdb.spec.selector.matchLabels, clientPod.metadata.labels), "PodDisruptionBudget selects the server pods only");
ok(pdb && (pdb.spec.maxUnavailable ?? 0) < server.spec.replicas, `PodDisruptionBudget maxUnavailable ${pdb?.spec.maxUnavailable} < replicas ${server.spec.replicas}`);
const hpa = byKind("HorizontalPodAutoscaler")[0];
ok(hpa && hpa.spec.scaleTargetRef.kind === "Deployment" && hpa.spec.scaleTargetRef.name === server.metadata.name &&
   hpa.spec.scaleTargetRef.apiVersion === server.apiVersion, `HorizontalPodAutoscaler targets ${hpa?.spec.scaleTargetRef.kind} ${hpa?.spec.scaleTargetRef.name}`);
ok(hpa.spec.minReplicas >= server.spec.replicas - 0 && hpa.spec.minReplicas >= 2,
   `HPA minReplicas ${hpa.spec.minReplicas} >= 2 (the PDB and the rolling update need a second pod)`);
ok(serverPod.spec.containers.every((c) => c.resources?.requests?.cpu),
   "every server container requests CPU (HPA utilization is relative to the requests)");
ok(hpa.spec.metrics.some((m) => m.type === "Resource" && m.resource.name === "cpu"), "HPA scales on CPU");

// NetworkPolicies
const nps = byKind("NetworkPolicy");
const npServer = nps.find((n) => matches(n.spec.podSelector.matchLabels, serverPod.metadata.labels));
const npClient = nps.find((n) => matches(n.spec.podSelector.matchLabels, clientPod.metadata.labels));
ok(nps.some((n) => Object.keys(n.spec.podSelector).length === 0 && n.spec.policyTypes.includes("Ingress") &&
   n.spec.policyTypes.includes("Egress") && !n.spec.ingress && !n.spec.egress), "a default-deny NetworkPolicy (ingress and egress)");
ok(npServer && npServer.spec.ingress.some((r) => r.ports?.some((p) => p.port === wtPort.containerPort && p.protocol === "UDP") && !r.from),
   `NetworkPolicy ${npServer?.metadata.name}: UDP ${wtPort.containerPort} in from anywhere`);
ok(npClient && npClient.spec.egress.some((r) => r.to?.some((t) => matches(t.podSelector?.matchLabels, serverPod.metadata.labels)) &&
   r.ports?.some((p) => p.port === wtPort.containerPort && p.protocol === "UDP")),
   `NetworkPolicy ${npClient?.metadata.name}: UDP ${wtPort.containerPort} out to the server pods`);
ok(npClient && npClient.spec.egress.some((r) => r.ports?.some((p) => p.port === 53 && p.protocol === "UDP")),
   `NetworkPolicy ${npClient?.metadata.name}: DNS out (SRV discovery)`);
for (const [pod, np] of [[serverPod, npServer], [clientPod, npClient]]) {
  const m = portNamed(container(pod, "metrics"), "metrics");
  ok(m && np.spec.ingress.some((r) => r.ports?.some((p) => p.port === m.containerPort && p.protocol === m.protocol)),
     `NetworkPolicy ${np.metadata.name}: metrics port ${m?.containerPort}/${m?.protocol} in`);
}

// ConfigMaps and Secrets named by volumes exist, with the keys used
const configMaps = byKind("ConfigMap");
const secrets = byKind("Secret");
for (const [name, pod] of [["server", serverPod], ["client", clientPod]]) {
  for (const v of pod.spec.volumes) {
    if (v.configMap) ok(configMaps.some((c) => c.metadata.name === v.configMap.name), `${name} volume ${v.name}: ConfigMap ${v.configMap.name} exists`);
    if (v.secret) ok(secrets.some((s) => s.metadata.name === v.secret.secretName), `${name} volume ${v.name}: Secret ${v.secret.secretName} exists (template)`);
  }
  for (const c of pod.spec.containers)
    for (const m of c.volumeMounts || [])
      ok(pod.spec.volumes.some((v) => v.name === m.name), `${name}/${c.name} mounts the pod's volume ${m.name}`);
}
// the files a mount provides: mountPath/key for each key of the ConfigMap or Secret
function mountedFiles(pod, c) {
  const out = new Map(); // path -> { volume, key }
  for (const m of c.volumeMounts || []) {
    const v = pod.spec.volumes.find((x) => x.name === m.name);
    const src = v?.configMap ? configMaps.find((x) => x.metadata.name === v.configMap.name)
      : v?.secret ? secrets.find((x) => x.metadata.name === v.secret.secretName) : null;
    if (!src) continue;
    const keys = Object.keys({ ...(src.data || {}), ...(src.stringData || {}) });
    if (m.subPath) {
      if (keys.includes(m.subPath)) out.set(m.mountPath, { volume: v.name, key: m.subPath });
    } else {
      for (const k of keys) out.set(`${m.mountPath}/${k}`, { volume: v.name, key: k });
    }
  }
  return out;
}
const mountOf = (c, path) => (c.volumeMounts || []).filter((m) => path === m.mountPath || path.startsWith(m.mountPath + "/"))
  .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];

// libconfig "name = value;" (strings, numbers, lists of strings)
function libconfig(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^\s*([a-z_]+)\s*=\s*(.*?);\s*$/);
    if (!m) continue;
    let v = m[2];
    if (v.startsWith("[")) v = [...v.matchAll(/"([^"]*)"/g)].map((x) => x[1]);
    else if (v.startsWith('"')) v = v.slice(1, -1);
    else if (v === "true" || v === "false") v = v === "true";
    else v = Number(v);
    out[m[1]] = v;
  }
  return out;
}

const cfgFile = (pod, c, conf) => {
  const i = c.command.indexOf("--config");
  return i >= 0 ? c.command[i + 1] : null;
};
const checkDaemon = (label, pod, c, confName, socketKey) => {
  const path = cfgFile(pod, c);
  const files = mountedFiles(pod, c);
  const f = files.get(path);
  ok(f, `${label}: --config ${path} is mounted from a ConfigMap (${f?.volume}/${f?.key})`);
  const cm = configMaps.find((x) => x.metadata.name === pod.spec.volumes.find((v) => v.name === f?.volume)?.configMap?.name);
  const conf = libconfig(cm?.data?.[f?.key] ?? "");
  ok(Object.keys(conf).length > 0, `${label}: ${confName} parsed from ConfigMap ${cm?.metadata.name}: ${Object.keys(conf).join(" ")}`);
  const sock = conf[socketKey];
  const runMount = mountOf(c, sock || "/nonexistent");
  const runVol = pod.spec.volumes.find((v) => v.name === runMount?.name);
  ok(sock && runVol?.emptyDir && dirname(sock) === runMount.mountPath && !runMount.readOnly,
     `${label}: control_socket ${sock} is in the writable emptyDir ${runVol && runMount?.name} at ${runMount?.mountPath}`);
  for (const [probe, arg] of [["readinessProbe", "--ready"], ["livenessProbe", "--live"]]) {
    const cmd = c[probe]?.exec?.command || [];
    ok(cmd[0] === "wtpctl" && cmd.includes("-s") && cmd[cmd.indexOf("-s") + 1] === sock && cmd.at(-2) === "check" && cmd.at(-1) === arg,
       `${label}: ${probe} is \`${cmd.join(" ")}\` on ${sock}`);
    const t = cmd.includes("-t") ? Number(cmd[cmd.indexOf("-t") + 1]) : 5;
    ok(t < (c[probe]?.timeoutSeconds ?? 1), `${label}: ${probe}: wtpctl -t ${t} < timeoutSeconds ${c[probe]?.timeoutSeconds}`);
  }
  const metrics = container(pod, "metrics");
  const mport = portNamed(metrics, "metrics");
  ok(metrics.command[1] === sock && Number(metrics.command[2]) === mport?.containerPort,
     `${label}: metrics sidecar serves ${metrics.command[1]} on ${metrics.command[2]} = its port "metrics" ${mport?.containerPort}`);
  const mrun = mountOf(metrics, sock);
  ok(mrun?.name === runMount?.name && mrun.mountPath === runMount.mountPath, `${label}: the metrics sidecar mounts the same ${runMount?.name} at ${mrun?.mountPath}`);
  ok(pod.metadata.annotations?.["prometheus.io/port"] === String(mport?.containerPort),
     `${label}: prometheus.io/port annotation ${pod.metadata.annotations?.["prometheus.io/port"]} = the metrics port`);
  return { conf, files, sock };
};

const S = checkDaemon("server", serverPod, srv, "server.conf", "control_socket");
{
  const listen = Array.isArray(S.conf.listen) ? S.conf.listen : [S.conf.listen];
  ok(listen.length > 0 && listen.every((l) => Number(l.split(":").at(-1)) === wtPort.containerPort),
     `server.conf listen ${listen.join(" ")}: the container port ${wtPort.containerPort}`);
  for (const k of ["certificate", "key", "reset_secret"]) {
    const f = S.files.get(S.conf[k]);
    const vol = serverPod.spec.volumes.find((v) => v.name === f?.volume);
    ok(f && vol?.secret, `server.conf ${k} ${S.conf[k]}: mounted from Secret ${vol?.secret?.secretName} key ${f?.key}`);
  }
  const rs = srv.volumeMounts.find((m) => m.mountPath === S.conf.reset_secret);
  ok(rs?.subPath, "the reset secret is mounted with subPath (a regular file: the server opens it O_NOFOLLOW, a Secret volume's keys are symlinks)");
  const tlsSecret = secrets.find((s) => s.metadata.name === serverPod.spec.volumes.find((v) => v.name === S.files.get(S.conf.certificate)?.volume)?.secret?.secretName);
  ok(tlsSecret?.type === "kubernetes.io/tls", `TLS Secret ${tlsSecret?.metadata.name} is of type kubernetes.io/tls (cert-manager's)`);
  // preStop drains through the same socket; the grace period covers it
  const pre = srv.lifecycle?.preStop?.exec?.command || [];
  const script = pre.join(" ");
  ok(new RegExp(`wtpctl .*-s ${S.sock} drain`).test(script), `preStop drains the server: \`${script}\``);
  const sleep = Number((script.match(/sleep (\d+)/) || [])[1] || 0);
  const drainT = Number((script.match(/wtpctl -t (\d+)/) || [])[1] || 5);
  const SHUTDOWN_GRACE = 3; // src/server/server.c SHUTDOWN_GRACE_NS
  ok(serverPod.spec.terminationGracePeriodSeconds > drainT + sleep + SHUTDOWN_GRACE,
     `terminationGracePeriodSeconds ${serverPod.spec.terminationGracePeriodSeconds} > drain ${drainT} s + sleep ${sleep} s + shutdown ${SHUTDOWN_GRACE} s`);
  ok(server.spec.strategy.rollingUpdate.maxUnavailable === 0 && server.spec.strategy.rollingUpdate.maxSurge >= 1,
     "server rolling update: surge first, none unavailable");
}

const C = checkDaemon("client", clientPod, cli, "client.conf", "control_socket");
{
  // discovery through the headless Service's SRV records: no url, no targets
  ok(C.conf.url === undefined && C.conf.targets === undefined,
     "client.conf: no url and no targets (the servers are found through DNS SRV)");
  ok(C.conf.discover === true && C.conf.discovery_dns !== false,
     `client.conf: discover ${C.conf.discover}, discovery_dns ${C.conf.discovery_dns ?? "(default true)"}`);
  ok(C.conf.discovery_mdns === false, `client.conf: discovery_mdns ${C.conf.discovery_mdns} (no avahi-daemon in a pod)`);
  const domain = `${headless.metadata.name}.${NS}.svc.cluster.local`;
  ok(C.conf.discovery_domain === domain,
     `client.conf discovery_domain ${C.conf.discovery_domain}: the headless Service ${headless.metadata.name} in ${NS}`);
  // Kubernetes names a headless Service's SRV records _<port name>._<protocol>.<service>.<namespace>.svc.<cluster domain>;
  // the client looks up _wtping._udp.<discovery_domain> (src/disc/disc_dns.h DISC_SERVICE_TYPE)
  const hp = headless.spec.ports.find((p) => p.name === "wtping");
  const published = hp && `_${hp.name}._${hp.protocol.toLowerCase()}.${domain}`;
  ok(published === `_wtping._udp.${C.conf.discovery_domain}`,
     `the SRV name the headless Service publishes (${published}) is the one the client looks up (_wtping._udp.${C.conf.discovery_domain})`);
  // the SRV port of a headless Service is the endpoint's port: the container port
  const tgt = hp && (typeof hp.targetPort === "string" ? portNamed(srv, hp.targetPort) : { containerPort: hp.targetPort ?? hp.port });
  ok(tgt?.containerPort === wtPort.containerPort, `the SRV records' port: container port ${tgt?.containerPort} of the server`);
  // a headless Service publishes no TXT record: the client uses the default path
  ok((S.conf.path ?? "/wtping") === "/wtping",
     `server.conf path ${S.conf.path}: the client's default /wtping (a headless Service publishes no TXT path=)`);
  const ca = C.files.get(C.conf.cafile);
  ok(ca, `client.conf cafile ${C.conf.cafile}: mounted from ConfigMap volume ${ca?.volume} key ${ca?.key}`);
  ok(!clientPod.spec.volumes.some((v) => v.secret), "the client pods mount no Secret (they need the CA only)");
  // the name the client verifies is the SRV target, <pod-ip-dashed>.<domain>: the
  // recommended Certificate (docs/kubernetes.md) must cover it with a wildcard
  if (docs) {
    const text = readFileSync(docs, "utf8");
    const block = (text.match(/^( *)```yaml\n((?:\1.*\n)*?\1apiVersion: cert-manager\.io\/v1\n[\s\S]*?)^ *```/m) || []);
    const cert = block[2] && YAML.parse(block[2].split("\n").map((l) => l.slice(block[1].length)).join("\n"));
    const names = cert?.spec?.dnsNames || [];
    ok(names.includes(`*.${domain}`),
       `${basename(docs)}: the Certificate's dnsNames cover the SRV targets (*.${domain}): ${names.join(" ")}`);
    ok(names.includes(`${svc.metadata.name}.${NS}.svc.cluster.local`),
       `${basename(docs)}: the Certificate's dnsNames cover the ClusterIP Service ${svc.metadata.name}.${NS}.svc.cluster.local`);
  }
}

// security: every container of every workload
const uid = Number((readFileSync(containerfile, "utf8").match(/^ARG WTPING_UID=(\d+)/m) || [])[1]);
ok(uid > 0, `${basename(containerfile)}: WTPING_UID ${uid}`);
for (const w of workloads) {
  const p = w.spec.template.spec;
  ok(p.securityContext.runAsNonRoot === true && p.securityContext.runAsUser === uid && p.securityContext.runAsGroup === uid &&
     p.securityContext.fsGroup === uid, `${w.kind} ${w.metadata.name}: runAsNonRoot, uid/gid/fsGroup ${uid} as in the image`);
  ok(p.securityContext.seccompProfile?.type === "RuntimeDefault", `${w.kind} ${w.metadata.name}: seccomp RuntimeDefault`);
  ok(p.automountServiceAccountToken === false, `${w.kind} ${w.metadata.name}: no service account token`);
  for (const c of p.containers) {
    const s = c.securityContext || {};
    ok(s.readOnlyRootFilesystem === true && s.allowPrivilegeEscalation === false &&
       isDeepStrictEqual(s.capabilities?.drop, ["ALL"]) && !s.capabilities?.add && !s.privileged,
       `${w.kind} ${w.metadata.name}/${c.name}: read-only root, no privilege escalation, capabilities drop ALL`);
    ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory,
       `${w.kind} ${w.metadata.name}/${c.name}: CPU and memory requests, memory limit`);
    ok(c.image === "wtping:0.1.0", `${w.kind} ${w.metadata.name}/${c.name}: image wtping (set by kustomization.yaml)`);
  }
}

// programs the manifests run (the caller checks that the image has them)
const programs = new Set();
for (const w of workloads)
  for (const c of w.spec.template.spec.containers) {
    programs.add(c.command[0]);
    for (const p of [c.readinessProbe, c.livenessProbe, c.lifecycle?.preStop])
      if (p?.exec) {
        programs.add(p.exec.command[0]);
        if (p.exec.command[0] === "sh") for (const m of p.exec.command.at(-1).matchAll(/(?:^|;\s*)(\w[\w-]*)/g)) programs.add(m[1]);
      }
  }

console.log(`# ${passes} passed, ${fails} failed`);
console.log(`programs: ${[...programs].sort().join(" ")}`);
process.exit(fails ? 1 : 0);
