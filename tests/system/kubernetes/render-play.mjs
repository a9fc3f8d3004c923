// Renders deploy/kubernetes for `podman kube play` (tests/system/kubernetes.sh):
//
//   node render-play.mjs DIR OUTDIR SETTINGS.json
//
// The objects are the shipped ones; only what a single host without a
// cluster cannot have is changed, and each change is printed:
// - names get a suffix (several runs may share the host);
// - the image is the one the test built;
// - one replica per Deployment (each pod publishes fixed host ports);
// - Services do not exist under podman, nor does cluster DNS: the client pod
//   gets the resolv.conf the kubelet gives a pod (dnsPolicy ClusterFirst:
//   the namespace's search domains, ndots:5) through dnsConfig, with the
//   test's dnsmasq on the podman network's gateway standing in for CoreDNS
//   (it serves the headless Service's SRV and A records for the ready server
//   pods); the client reaches the server pods at their own addresses, as
//   through a headless Service, so the server's UDP port is not published
//   (podman 4.3 would publish a containerPort without hostPort on the
//   host's same port: it is left out);
// - Secrets: podman 4.3 mounts secret volumes wrongly (see
//   /work/shared/notes/containers-testing.md), so the TLS certificate and the
//   reset secret come through ConfigMaps of the same keys, made from the
//   test's own CA; wtping-ca holds that CA;
// - the client logs at info (the GOAWAY is logged at info);
// - the metrics sidecar looks for a renewed certificate every second;
// - the metrics ports are published on the gateway too;
// - podman quirks: emptyDir volumes get names unique to the pod (podman
//   shares them by name), a subPath mount of a single key becomes a mount of
//   the volume's directory (podman ignores subPath on configMap volumes).
//
// Writes OUTDIR/server.yaml (the server Deployment with its ConfigMaps),
// OUTDIR/client.yaml (the client Deployment with its ConfigMaps: played once
// the server pod is ready and in DNS) and OUTDIR/server2.yaml (the server
// Deployment again as a new pod, named -2: the rolling update's surge pod).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const [dir, outdir, settingsFile] = process.argv.slice(2);
const S = JSON.parse(readFileSync(settingsFile, "utf8"));
const load = (f) => YAML.parseAllDocuments(readFileSync(join(dir, f), "utf8"), { version: "1.1" })
  .map((d) => d.toJS()).filter(Boolean);
const all = ["server-configmap.yaml", "client-configmap.yaml", "server-deployment.yaml", "client-deployment.yaml"]
  .flatMap(load);
const find = (kind, name) => structuredClone(all.find((o) => o.kind === kind && o.metadata.name === name));
const note = (m) => console.log(`# render: ${m}`);
const sfx = S.suffix;

const serverCm = find("ConfigMap", "wtping-server-config");
const clientCm = find("ConfigMap", "wtping-client-config");
const server = find("Deployment", "wtping-server");
const client = find("Deployment", "wtping-client");

// ConfigMaps: renamed; the client's log level
const rename = {};
for (const cm of [serverCm, clientCm]) {
  rename[cm.metadata.name] = `${cm.metadata.name}-${sfx}`;
  cm.metadata.name = rename[cm.metadata.name];
}
clientCm.data["client.conf"] = clientCm.data["client.conf"]
  .replace(/^log_level = .*$/m, 'log_level = "info";');
const domain = clientCm.data["client.conf"].match(/^discovery_domain = "([^"]*)";/m)[1];
note(`client: discovery_domain ${domain} as shipped (SRV _wtping._udp.${domain} from the test's dnsmasq); log_level info`);

// Secrets -> ConfigMaps with the same keys
const cmOf = (name, data) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-${sfx}`, namespace: "wtping" }, data });
const tlsCm = cmOf("wtping-tls", { "tls.crt": S.tlsCrt, "tls.key": S.tlsKey, "ca.crt": S.caCrt });
const resetCm = cmOf("wtping-reset-secret", { "reset-secret": S.resetSecret });
const caCm = cmOf("wtping-ca", { "ca.crt": S.caCrt });
rename["wtping-ca"] = caCm.metadata.name;
const secretToCm = { "wtping-tls": tlsCm.metadata.name, "wtping-reset-secret": resetCm.metadata.name };

function adapt(dep, newName, ports) {
  dep.metadata.name = newName;
  dep.spec.replicas = 1;
  const pod = dep.spec.template.spec;
  for (const v of pod.volumes) {
    if (v.configMap && rename[v.configMap.name]) v.configMap.name = rename[v.configMap.name];
    if (v.secret && v.secret.secretName === "wtping-tls" && S.tlsDir) {
      note(`${newName}: volume ${v.name}: Secret ${v.secret.secretName} -> hostPath ${S.tlsDir} (the key 0600 owned by the image's uid, as a Secret with fsGroup gives it; podman ignores fsGroup)`);
      v.hostPath = { path: S.tlsDir, type: "Directory" };
      delete v.secret;
    } else if (v.secret) {
      note(`${newName}: volume ${v.name}: Secret ${v.secret.secretName} -> ConfigMap ${secretToCm[v.secret.secretName]} (mode 0444: podman ignores fsGroup)`);
      v.configMap = { name: secretToCm[v.secret.secretName], defaultMode: 0o444 };
      delete v.secret;
    }
  }
  // podman 4.3 makes an emptyDir a named volume called after the pod's
  // volume, shared by every pod that uses the name: one per pod here
  for (const v of pod.volumes) {
    if (!v.emptyDir) continue;
    const n = `${v.name}-${newName}`;
    for (const c of pod.containers) for (const m of c.volumeMounts || []) if (m.name === v.name) m.name = n;
    note(`${newName}: emptyDir ${v.name} -> ${n} (podman shares emptyDirs of the same name between pods)`);
    v.name = n;
  }
  // podman 4.3 does not apply subPath to a configMap volume (it makes a
  // directory): mount the volume's directory there instead; podman's
  // configMap files are regular files, not the symlinks of a kubelet volume
  for (const c of pod.containers) {
    for (const m of c.volumeMounts || []) {
      if (!m.subPath) continue;
      const parent = m.mountPath.slice(0, m.mountPath.lastIndexOf("/"));
      note(`${newName}/${c.name}: ${m.mountPath} (subPath ${m.subPath}) -> the volume at ${parent} (podman ignores subPath)`);
      m.mountPath = parent;
      delete m.subPath;
    }
  }
  for (const c of pod.containers) {
    c.image = S.image;
    for (const p of c.ports || []) {
      const hp = ports[`${c.name}/${p.name}`];
      if (hp) {
        p.hostPort = hp;
        p.hostIP = S.gateway;
        note(`${newName}/${c.name}: port ${p.name} ${p.containerPort}/${p.protocol} published on ${S.gateway}:${hp}`);
      } else {
        // podman 4.3 publishes a containerPort without hostPort on the
        // host's same port (all addresses): two pods could not have it
        note(`${newName}/${c.name}: port ${p.name} ${p.containerPort}/${p.protocol} left out (podman would publish it on the host's port ${p.containerPort}; the pod's own address has it)`);
      }
    }
    if (c.ports) c.ports = c.ports.filter((p) => p.hostPort);
  }
  return dep;
}

const srvName = `wtping-server-${sfx}`;
const server2 = structuredClone(server);
adapt(server, srvName, { "metrics/metrics": S.serverMetricsPort });
adapt(client, `wtping-client-${sfx}`, { "metrics/metrics": S.clientMetricsPort });
// the resolv.conf of a pod in namespace wtping with dnsPolicy ClusterFirst
const ns = client.metadata.namespace;
client.spec.template.spec.dnsPolicy = "None";
client.spec.template.spec.dnsConfig = {
  nameservers: [S.gateway],
  searches: [`${ns}.svc.cluster.local`, "svc.cluster.local", "cluster.local"],
  options: [{ name: "ndots", value: "5" }],
};
note(`wtping-client-${sfx}: dnsConfig nameserver ${S.gateway} (dnsmasq for CoreDNS), search ${ns}.svc.cluster.local svc.cluster.local cluster.local, ndots:5 (the kubelet's ClusterFirst resolv.conf)`);
// the certificate watch of the metrics sidecar every second, not every 30 s
for (const c of server.spec.template.spec.containers) {
  if (c.name !== "metrics") continue;
  c.env = [...(c.env || []), { name: "WTPING_RELOAD_INTERVAL", value: "1" }];
  note(`${srvName}/metrics: WTPING_RELOAD_INTERVAL=1 (30 s by default)`);
}
// the surge pod: the same, with pod volumes and a metrics port of its own
adapt(server2, `${srvName}-2`, { "metrics/metrics": S.server2MetricsPort });
for (const c of server2.spec.template.spec.containers)
  if (c.name === "metrics") c.env = [...(c.env || []), { name: "WTPING_RELOAD_INTERVAL", value: "1" }];
note(`image ${S.image}; one replica each; names end in -${sfx}`);

const dump = (objs) => objs.map((o) => YAML.stringify(o, { version: "1.1" })).join("---\n");
writeFileSync(join(outdir, "server.yaml"), dump([serverCm, ...(S.tlsDir ? [] : [tlsCm]), resetCm, server]));
writeFileSync(join(outdir, "client.yaml"), dump([clientCm, caCm, client]));
writeFileSync(join(outdir, "server2.yaml"), dump([serverCm, ...(S.tlsDir ? [] : [tlsCm]), resetCm, server2]));
