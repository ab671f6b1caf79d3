#!/usr/bin/env python3
"""Checks deploy/: what can be proved without a container engine or a cluster.

    python3 tests/deploy/check.py [GROUP...]      (from the top of the checkout)

Groups (all when none is named):
  manifests     every YAML file parses, has the expected kinds, and the
                resources refer to each other correctly
  deployment    two replicas with the binlog source in standby, rolled with no
                pod down and a PodDisruptionBudget (one replica: Recreate),
                health probes, non-root, read-only root, resources, state
                volume; the OpenShift patch keeps it non-root
  routes        the ConfigMap's routes validate with dromc, with the Secret's
                keys as the files their {{file:...}} placeholders read; the
                hosts and names agree with deploy/openshift
  containerfile the image recipe: Debian packages exist, the runtime stage
                holds every library dromd and dromc link, the COPY lines carry
                every source the build reads, and dromd accepts (and runs with)
                the ENTRYPOINT, CMD and HEALTHCHECK flags

Prints one line per failed check and exits 1, 0 when all pass. The package
check needs this machine to be Debian 12 with apt lists; elsewhere it is
skipped with a note. Environment: DROMC_BIN, DROMD_BIN (default build/dromc,
build/dromd).
"""
import base64
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    import yaml
except ImportError:  # python3-yaml comes with scripts/deps.sh
    print("check: python3-yaml is missing (make deps installs it)")
    sys.exit(1)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
DROMC = os.environ.get("DROMC_BIN", os.path.join(ROOT, "build", "dromc"))
DROMD = os.environ.get("DROMD_BIN", os.path.join(ROOT, "build", "dromd"))

EXPECTED_KINDS = {
    "kubernetes": {"Kustomization", "ConfigMap", "Secret", "PodDisruptionBudget",
                   "Deployment", "Service", "ServiceMonitor"},
    "openshift": {"Kustomization", "KafkaNodePool", "Kafka", "KafkaTopic",
                  "ActiveMQArtemis", "ActiveMQArtemisAddress"},
    "prometheus": {"PrometheusRule"},
}
# the seed's names (shared/reference/camel.md section 1)
SEED_TOPIC = "my-mysql.cdcdb.customers"
SEED_QUEUE = "queue.customers"


class Checks:
    def __init__(self):
        self.failures = []
        self.notes = []

    def check(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return bool(cond)


# --- loading -----------------------------------------------------------------

def rel(path):
    return os.path.relpath(path, ROOT)


def load_docs(c):
    """{path: [documents]} for every YAML file under deploy/."""
    out = {}
    files = sorted(glob.glob(os.path.join(DEPLOY, "**", "*.yaml"), recursive=True)
                   + glob.glob(os.path.join(DEPLOY, "**", "*.yml"), recursive=True))
    c.check(files, "deploy/: no YAML file found")
    # Prometheus' own rule and rule-test files are checked by promtool (make observe).
    files = [f for f in files if not re.search(r"\.rules(\.test)?\.yml$", f)]
    for f in files:
        try:
            with open(f) as fh:
                docs = [d for d in yaml.safe_load_all(fh) if d is not None]
        except yaml.YAMLError as e:
            c.check(False, f"{rel(f)}: not valid YAML: {e}")
            continue
        out[f] = docs
    return out


def by_kind(docs):
    res = {}
    for f, ds in docs.items():
        for d in ds:
            if isinstance(d, dict):
                res.setdefault(d.get("kind"), []).append((f, d))
    return res


def one(kinds, kind, c, where="deploy/kubernetes"):
    items = [d for f, d in kinds.get(kind, []) if os.path.basename(os.path.dirname(f)) == where.split("/")[-1]]
    c.check(len(items) == 1, f"{where}: expected one {kind}, found {len(items)}")
    return items[0] if items else {}


def dig(d, *keys, default=None):
    for k in keys:
        if isinstance(d, dict) and k in d:
            d = d[k]
        elif isinstance(d, list) and isinstance(k, int) and -len(d) <= k < len(d):
            d = d[k]
        else:
            return default
    return d


def container(deploy):
    cs = dig(deploy, "spec", "template", "spec", "containers", default=[]) or []
    return cs[0] if cs else {}


def secret_values(secret):
    vals = dict(secret.get("stringData") or {})
    for k, v in (secret.get("data") or {}).items():
        vals[k] = base64.b64decode(v).decode()
    return vals


# --- Containerfile -----------------------------------------------------------

def parse_containerfile(path):
    """Stages as dicts: base, name, runs, copies, and the last USER, EXPOSE,
    VOLUME, ENTRYPOINT, CMD, HEALTHCHECK of each; ARG defaults substituted."""
    with open(path) as fh:
        text = fh.read()
    lines, cur = [], ""
    for raw in text.splitlines():
        s = raw.strip()
        if not cur and (not s or s.startswith("#")):
            continue
        if cur and s.startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        lines.append(cur + s)
        cur = ""
    args, stages = {}, []

    def subst(s):
        return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), s)

    for ln in lines:
        instr, _, rest = ln.partition(" ")
        instr = instr.upper()
        rest = rest.strip()
        if instr == "ARG":
            k, _, v = rest.partition("=")
            args[k] = v
            continue
        if instr == "FROM":
            parts = subst(rest).split()
            stages.append({"base": parts[0], "name": parts[2] if len(parts) > 2 else None,
                           "runs": [], "copies": []})
            continue
        st = stages[-1]
        if instr == "RUN":
            st["runs"].append(rest)
        elif instr == "COPY":
            toks = rest.split()
            frm = None
            while toks and toks[0].startswith("--"):
                if toks[0].startswith("--from="):
                    frm = toks[0][7:]
                toks.pop(0)
            st["copies"].append({"from": frm, "src": toks[:-1], "dst": toks[-1]})
        elif instr in ("ENTRYPOINT", "CMD"):
            st[instr] = json.loads(rest)
        elif instr == "HEALTHCHECK":
            m = re.search(r"\bCMD\s+(\[.*\])\s*$", rest)
            st[instr] = json.loads(m.group(1)) if m else rest
        elif instr in ("USER", "EXPOSE", "WORKDIR", "STOPSIGNAL"):
            st[instr] = rest
        elif instr == "VOLUME":
            st[instr] = json.loads(rest) if rest.startswith("[") else rest.split()
    return stages


def apt_packages(run):
    """Packages named by apt-get install in one RUN line."""
    pkgs = []
    for cmd in re.split(r"&&|;", run):
        toks = shlex.split(cmd)
        if "apt-get" in toks and "install" in toks:
            for t in toks[toks.index("install") + 1:]:
                if not t.startswith("-"):
                    pkgs.append(t)
    return pkgs


def flag_value(argv, flag):
    return argv[argv.index(flag) + 1] if flag in argv and argv.index(flag) + 1 < len(argv) else None


def help_flags(argv):
    out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    return set(re.findall(r"(--[a-z][a-z-]*)", out.stdout + out.stderr))


def flags_of(argv):
    return [a for a in argv if a.startswith("--")]


# --- groups --------------------------------------------------------------------

def group_manifests(c):
    docs = load_docs(c)
    for f, ds in docs.items():
        for i, d in enumerate(ds):
            where = f"{rel(f)} (document {i + 1})"
            if not c.check(isinstance(d, dict), f"{where}: not a mapping"):
                continue
            c.check(d.get("apiVersion") and d.get("kind"), f"{where}: apiVersion or kind missing")
            if d.get("kind") != "Kustomization":
                c.check(dig(d, "metadata", "name"), f"{where}: metadata.name missing")
    for sub, want in EXPECTED_KINDS.items():
        have = {d.get("kind") for f, ds in docs.items() for d in ds
                if isinstance(d, dict) and os.path.dirname(f) == os.path.join(DEPLOY, sub)}
        c.check(want <= have, f"deploy/{sub}: kinds {sorted(want - have)} missing")
        c.check(have <= want, f"deploy/{sub}: unexpected kinds {sorted(have - want)}")
        # every manifest of the folder is in its kustomization, and nothing else
        kfile = os.path.join(DEPLOY, sub, "kustomization.yaml")
        kust = (docs.get(kfile) or [{}])[0]
        listed = [r for r in kust.get("resources", []) if not r.startswith("..")]
        for r in listed:
            c.check(os.path.exists(os.path.join(DEPLOY, sub, r)), f"deploy/{sub}/kustomization.yaml: {r} does not exist")
        if sub == "kubernetes":
            files = {os.path.basename(f) for f in docs if os.path.dirname(f) == os.path.join(DEPLOY, sub)}
            c.check(files - {"kustomization.yaml"} == set(listed),
                    f"deploy/kubernetes/kustomization.yaml lists {sorted(listed)}, the folder has {sorted(files)}")
    apis = {("kafka.strimzi.io/v1", "Kafka"), ("kafka.strimzi.io/v1", "KafkaNodePool"),
            ("kafka.strimzi.io/v1", "KafkaTopic"), ("broker.amq.io/v1beta1", "ActiveMQArtemis"),
            ("broker.amq.io/v1beta1", "ActiveMQArtemisAddress"), ("monitoring.coreos.com/v1", "ServiceMonitor"),
            ("monitoring.coreos.com/v1", "PrometheusRule"),
            ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"), ("v1", "Secret"),
            ("v1", "PersistentVolumeClaim"), ("policy/v1", "PodDisruptionBudget"),
            ("kustomize.config.k8s.io/v1beta1", "Kustomization")}
    for f, ds in docs.items():
        for d in ds:
            if isinstance(d, dict):
                c.check((d.get("apiVersion"), d.get("kind")) in apis,
                        f"{rel(f)}: {d.get('kind')} with unexpected apiVersion {d.get('apiVersion')}")

    kinds = by_kind(docs)
    dep = one(kinds, "Deployment", c)
    svc = one(kinds, "Service", c)
    sm = one(kinds, "ServiceMonitor", c)
    cm = one(kinds, "ConfigMap", c)
    sec = one(kinds, "Secret", c)
    pod_labels = dig(dep, "spec", "template", "metadata", "labels", default={}) or {}
    sel = dig(dep, "spec", "selector", "matchLabels", default={}) or {}
    c.check(sel and sel.items() <= pod_labels.items(), "Deployment: selector does not match the pod labels")
    svc_sel = dig(svc, "spec", "selector", default={}) or {}
    c.check(svc_sel and svc_sel.items() <= pod_labels.items(), "Service: selector does not match the pod labels")
    cports = {p.get("name"): p.get("containerPort") for p in container(dep).get("ports", [])}
    sports = {p.get("name"): p for p in dig(svc, "spec", "ports", default=[]) or []}
    for name, p in sports.items():
        tp = p.get("targetPort")
        c.check(tp in cports or tp in cports.values(), f"Service: port {name} targets {tp}, not a container port")
    sm_sel = dig(sm, "spec", "selector", "matchLabels", default={}) or {}
    svc_labels = dig(svc, "metadata", "labels", default={}) or {}
    c.check(sm_sel and sm_sel.items() <= svc_labels.items(), "ServiceMonitor: selector does not match the Service's labels")
    eps = dig(sm, "spec", "endpoints", default=[]) or []
    c.check(eps and all(e.get("port") in sports for e in eps), "ServiceMonitor: endpoint port is not a Service port name")
    c.check(eps and all(e.get("path") == "/metrics" for e in eps), "ServiceMonitor: endpoint path is not /metrics")
    # volumes refer to the resources defined beside them
    names = {k: {dig(d, "metadata", "name") for f, d in kinds.get(k, [])}
             for k in ("ConfigMap", "Secret", "PersistentVolumeClaim")}
    for v in dig(dep, "spec", "template", "spec", "volumes", default=[]) or []:
        if "configMap" in v:
            c.check(v["configMap"].get("name") in names["ConfigMap"], f"Deployment: volume {v['name']}: no such ConfigMap")
        # an optional Secret (the TLS certificates) is made by the operator, never kept here
        if "secret" in v and not v["secret"].get("optional"):
            c.check(v["secret"].get("secretName") in names["Secret"], f"Deployment: volume {v['name']}: no such Secret")
        if "persistentVolumeClaim" in v:
            c.check(v["persistentVolumeClaim"].get("claimName") in names["PersistentVolumeClaim"],
                    f"Deployment: volume {v['name']}: no such PersistentVolumeClaim")
    c.check(cm.get("data"), "ConfigMap: no data")
    c.check(secret_values(sec), "Secret: no keys")
    # Strimzi: the pool and the topic belong to the cluster
    kafka = one(kinds, "Kafka", c, "deploy/openshift")
    kname = dig(kafka, "metadata", "name")
    for k in ("KafkaNodePool", "KafkaTopic"):
        for f, d in kinds.get(k, []):
            c.check(dig(d, "metadata", "labels", "strimzi.io/cluster") == kname,
                    f"{rel(f)}: {k} is not labelled strimzi.io/cluster: {kname}")
    pools = [d for f, d in kinds.get("KafkaNodePool", [])]
    roles = {r for p in pools for r in dig(p, "spec", "roles", default=[]) or []}
    c.check({"controller", "broker"} <= roles, "KafkaNodePool: KRaft needs controller and broker roles")
    c.check(not dig(kafka, "spec", "zookeeper"), "Kafka: ZooKeeper is gone from Strimzi; use KRaft")


def group_deployment(c):
    docs = load_docs(c)
    kinds = by_kind(docs)
    dep = one(kinds, "Deployment", c)
    spec = dep.get("spec", {})
    pod = dig(spec, "template", "spec", default={}) or {}
    ctr = container(dep)
    # several replicas only with the binlog source in standby (docs/ha.md), and a
    # rolling update that never has fewer pods than replicas, so one leader runs throughout
    cm = one(kinds, "ConfigMap", c)
    routes_text = "\n".join((cm.get("data") or {}).values())
    if spec.get("replicas", 1) > 1:
        c.check("standby=true" in routes_text, "Deployment: replicas > 1 need standby=true on the binlog source")
        c.check(dig(spec, "strategy", "type") == "RollingUpdate"
                and dig(spec, "strategy", "rollingUpdate", "maxUnavailable") == 0,
                "Deployment: several replicas roll with RollingUpdate and maxUnavailable 0")
        pdb = one(kinds, "PodDisruptionBudget", c)
        pod_labels = dig(spec, "template", "metadata", "labels", default={}) or {}
        pdb_sel = dig(pdb, "spec", "selector", "matchLabels", default={}) or {}
        c.check(pdb_sel and pdb_sel.items() <= pod_labels.items(), "PodDisruptionBudget: selector does not match the pods")
        c.check(dig(pdb, "spec", "minAvailable") == 1, "PodDisruptionBudget: minAvailable must be 1")
    else:
        c.check(dig(spec, "strategy", "type") == "Recreate", "Deployment: one replica must use Recreate")
    cports = {p.get("name"): p.get("containerPort") for p in ctr.get("ports", [])}
    stages = parse_containerfile(os.path.join(DEPLOY, "Containerfile"))
    entry = stages[-1].get("ENTRYPOINT", []) if stages else []
    http = flag_value(entry, "--http") or ""
    http_port = int(http.rsplit(":", 1)[-1]) if http else None
    for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
        g = dig(ctr, probe, "httpGet", default={}) or {}
        c.check(g.get("path") == path, f"Deployment: {probe} must GET {path}")
        port = cports.get(g.get("port"), g.get("port"))
        c.check(port == http_port, f"Deployment: {probe} port {g.get('port')} is not dromd's --http port {http_port}")
    psc = pod.get("securityContext", {}) or {}
    csc = ctr.get("securityContext", {}) or {}
    c.check(psc.get("runAsNonRoot") or csc.get("runAsNonRoot"), "Deployment: runAsNonRoot is not set")
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    image_user = (stages[-1].get("USER", "") if stages else "").split(":")[0]
    c.check(image_user.isdigit() and int(image_user) != 0, f"Containerfile: USER {image_user!r} must be a numeric non-root uid")
    if uid is not None:
        c.check(uid != 0 and str(uid) == image_user, f"Deployment: runAsUser {uid} is not the image's user {image_user}")
    c.check(csc.get("readOnlyRootFilesystem") is True, "Deployment: readOnlyRootFilesystem must be true")
    c.check(csc.get("allowPrivilegeEscalation") is False, "Deployment: allowPrivilegeEscalation must be false")
    c.check("ALL" in (dig(csc, "capabilities", "drop", default=[]) or []), "Deployment: capabilities must drop ALL")
    res = ctr.get("resources", {}) or {}
    c.check(dig(res, "requests", "memory") and dig(res, "limits", "memory"), "Deployment: memory request and limit missing")
    # state: the image's --state-dir is a writable volume of the pod
    state_dir = flag_value(entry, "--state-dir")
    mounts = {m.get("mountPath"): m for m in ctr.get("volumeMounts", [])}
    vols = {v.get("name"): v for v in pod.get("volumes", [])}
    m = mounts.get(state_dir)
    if c.check(m, f"Deployment: nothing mounted at the state directory {state_dir}"):
        c.check(not m.get("readOnly"), "Deployment: the state volume is read-only")
        v = vols.get(m.get("name"), {})
        c.check("persistentVolumeClaim" in v or "emptyDir" in v, "Deployment: the state volume is neither a PVC nor an emptyDir")
        if "emptyDir" in v:
            # offsets must then live in Kafka, or a restart snapshots again
            c.check("offsetStorage=kafka" in routes_text,
                    "Deployment: state on an emptyDir needs offsetStorage=kafka in the routes")
    # the drain fits in the grace period
    args = ctr.get("args", []) or []
    drain = flag_value(entry + args, "--drain-timeout") or "30s"
    secs = int(re.match(r"(\d+)", drain).group(1)) * (60 if drain.endswith("m") else 1)
    c.check(pod.get("terminationGracePeriodSeconds", 30) > secs,
            f"Deployment: terminationGracePeriodSeconds must exceed --drain-timeout {drain}")
    # the container uses the image's ENTRYPOINT, so args are dromd's
    c.check("command" not in ctr, "Deployment: command replaces the image's ENTRYPOINT (use args)")
    # OpenShift: the patch leaves a pod that is still non-root, without fixed ids
    kust = (docs.get(os.path.join(DEPLOY, "openshift", "kustomization.yaml")) or [{}])[0]
    c.check("../kubernetes" in (kust.get("resources") or []), "deploy/openshift/kustomization.yaml: does not build on ../kubernetes")
    patched = json.loads(json.dumps(dep))
    for p in kust.get("patches", []) or []:
        if dig(p, "target", "kind") != "Deployment":
            continue
        for op in yaml.safe_load(p.get("patch", "")) or []:
            keys = op["path"].strip("/").split("/")
            parent = dig(patched, *keys[:-1])
            if c.check(op["op"] == "remove" and isinstance(parent, dict) and keys[-1] in parent,
                       f"deploy/openshift/kustomization.yaml: cannot apply {op}"):
                del parent[keys[-1]]
    psc2 = dig(patched, "spec", "template", "spec", "securityContext", default={}) or {}
    c.check(psc2.get("runAsNonRoot") and not ({"runAsUser", "runAsGroup", "fsGroup"} & set(psc2)),
            "deploy/openshift: the patched Deployment must be runAsNonRoot without fixed uid, gid or fsGroup")


def group_routes(c):
    docs = load_docs(c)
    kinds = by_kind(docs)
    dep, cm, sec = one(kinds, "Deployment", c), one(kinds, "ConfigMap", c), one(kinds, "Secret", c)
    ctr = container(dep)
    vols = {v.get("name"): v for v in dig(dep, "spec", "template", "spec", "volumes", default=[]) or []}
    cm_dir = sec_dir = None
    for m in ctr.get("volumeMounts", []):
        v = vols.get(m.get("name"), {})
        if dig(v, "configMap", "name") == dig(cm, "metadata", "name"):
            cm_dir = m["mountPath"]
        if dig(v, "secret", "secretName") == dig(sec, "metadata", "name"):
            sec_dir = m["mountPath"]
            c.check(m.get("readOnly"), "Deployment: the Secret is not mounted read-only")
    if not (c.check(cm_dir, "Deployment: the ConfigMap is not mounted")
            and c.check(sec_dir, "Deployment: the Secret is not mounted")):
        return
    data, secrets = cm.get("data") or {}, secret_values(sec)
    # {{file:...}}: a Secret key under the Secret's mount (or a ConfigMap key)
    refs = set()
    for key, text in data.items():
        for path in re.findall(r"\{\{\??file:([^}]+)\}\}", text):
            refs.add(path)
            d, name = os.path.dirname(path), os.path.basename(path)
            c.check((d == sec_dir and name in secrets) or (d == cm_dir and name in data),
                    f"ConfigMap {key}: {{{{file:{path}}}}} is not a key of the Secret mounted at {sec_dir}")
    c.check(refs, "ConfigMap: no credential is read with {{file:...}}")
    for k, v in secrets.items():
        c.check(os.path.join(sec_dir, k) in refs, f"Secret: key {k} is never read by the routes")
    # the container's arguments name files of the ConfigMap
    args = ctr.get("args", []) or []
    props = flag_value(args, "--properties")
    route_files = [a for a in args if a.startswith("/") and a != props]
    for p in [props] + route_files:
        c.check(p and os.path.dirname(p) == cm_dir and os.path.basename(p) in data,
                f"Deployment: argument {p} is not a file of the ConfigMap mounted at {cm_dir}")
    # the routes are the seed pipeline for several replicas, verbatim
    with open(os.path.join(ROOT, "routes", "cdc-pipeline-ha.xml")) as fh:
        seed = fh.read()
    c.check(any(v == seed for v in data.values()),
            "ConfigMap: no key holds routes/cdc-pipeline-ha.xml verbatim (copy it again into deploy/kubernetes/configmap.yaml)")
    # extract both, with the mount paths pointed at the temp copies, and validate
    if not c.check(os.access(DROMC, os.X_OK), f"{DROMC} is not built (make all)"):
        return
    with tempfile.TemporaryDirectory(prefix="deploy-check-") as tmp:
        tcm, tsec = os.path.join(tmp, "routes"), os.path.join(tmp, "secrets")
        os.makedirs(tcm)
        os.makedirs(tsec)
        for k, v in secrets.items():
            with open(os.path.join(tsec, k), "w") as fh:
                fh.write(v)
        for k, v in data.items():
            with open(os.path.join(tcm, k), "w") as fh:
                fh.write(v.replace("{{file:" + sec_dir + "/", "{{file:" + tsec + "/")
                          .replace("{{file:" + cm_dir + "/", "{{file:" + tcm + "/"))
        argv = [DROMC, "validate"]
        if props:
            argv += ["--properties", os.path.join(tcm, os.path.basename(props))]
        argv += [os.path.join(tcm, os.path.basename(f)) for f in route_files]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        out = (r.stdout + r.stderr).replace(tmp + "/", "")
        c.check(r.returncode == 0, f"dromc validate of the ConfigMap's routes failed ({r.returncode}):\n{out.strip()}")
        c.notes.append(out.strip())
        props_text = data.get(os.path.basename(props or ""), "")
    # the names agree with deploy/openshift
    kv = dict(re.findall(r"^\s*([\w.-]+)\s*=\s*(.*?)\s*$", props_text, re.M))
    kafka = one(kinds, "Kafka", c, "deploy/openshift")
    plain = [l for l in dig(kafka, "spec", "kafka", "listeners", default=[]) or [] if not l.get("tls")]
    want = f"{dig(kafka, 'metadata', 'name')}-kafka-bootstrap:{plain[0]['port'] if plain else '?'}"
    c.check(kv.get("camel.component.kafka.brokers") == want,
            f"application.properties: camel.component.kafka.brokers is not the Kafka cluster's plain bootstrap {want}")
    topics = {dig(d, "spec", "topicName") or dig(d, "metadata", "name") for f, d in kinds.get("KafkaTopic", [])}
    routes_text = "".join(data.values())
    c.check(SEED_TOPIC in topics and f"kafka:{SEED_TOPIC}" in routes_text,
            f"the routes' topic {SEED_TOPIC} has no KafkaTopic")
    brokers = [d for f, d in kinds.get("ActiveMQArtemis", []) if os.path.basename(os.path.dirname(f)) == "openshift"]
    c.check(brokers, "deploy/openshift: no ActiveMQArtemis")
    uri = kv.get("camel.component.sjms2.remoteURI", "")
    fo = re.match(r"failover:\(([^)]*)\)", uri)
    members = fo.group(1).split(",") if fo else [uri]
    acc = {f"{dig(b, 'metadata', 'name')}-{a.get('name')}-0-svc:{a.get('port')}": a
           for b in brokers for a in dig(b, "spec", "acceptors", default=[]) or []}
    c.check(len(members) == len(brokers),
            f"application.properties: remoteURI names {len(members)} broker(s), deploy/openshift has {len(brokers)}")
    for member in members:
        m = re.match(r"amqps?://([^:/]+):(\d+)", member)
        a = acc.get(f"{m.group(1)}:{m.group(2)}") if m else None
        if c.check(a, f"application.properties: remoteURI's {member} is no acceptor service of a broker ({sorted(acc)})"):
            c.check(a.get("protocols") in ("all", "amqp") or "amqp" in str(a.get("protocols")).split(","),
                    "ActiveMQArtemis: the acceptor dromd uses does not speak AMQP")
            c.check(member.startswith("amqps") == bool(a.get("sslEnabled")),
                    "remoteURI's scheme does not match the acceptor's sslEnabled")
    addrs = [d for f, d in kinds.get("ActiveMQArtemisAddress", [])]
    c.check(any(dig(d, "spec", "queueName") == SEED_QUEUE and dig(d, "spec", "routingType") == "anycast" for d in addrs)
            and f"sjms2:queue:{SEED_QUEUE}" in routes_text, f"the routes' queue {SEED_QUEUE} has no anycast ActiveMQArtemisAddress")
    for broker in brokers:
        if broker.get("spec", {}).get("adminUser"):
            c.check(secrets.get("amq.username") == broker["spec"]["adminUser"]
                    and secrets.get("amq.password") == broker["spec"].get("adminPassword"),
                    f"Secret: amq.username/amq.password differ from {dig(broker, 'metadata', 'name')}'s "
                    "adminUser/adminPassword")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_containerfile(c):
    path = os.path.join(DEPLOY, "Containerfile")
    stages = parse_containerfile(path)
    if not c.check(len(stages) >= 2, "Containerfile: not multi-stage"):
        return
    build, run = stages[0], stages[-1]
    c.check(re.fullmatch(r"(docker\.io/(library/)?)?debian:12", build["base"]), f"Containerfile: builder base {build['base']} is not debian:12")
    c.check(re.fullmatch(r"(docker\.io/(library/)?)?debian:12-slim", run["base"]), f"Containerfile: runtime base {run['base']} is not debian:12-slim")
    bpk = [p for r in build["runs"] for p in apt_packages(r)]
    rpk = [p for r in run["runs"] for p in apt_packages(r)]
    c.check(bpk and rpk, "Containerfile: no apt-get install in a stage")
    c.check(not [p for p in rpk if p.endswith("-dev")], "Containerfile: -dev packages in the runtime stage")

    # 1. the packages exist in Debian 12 (this machine's archive, when it is Debian 12)
    osrel = open("/etc/os-release").read() if os.path.exists("/etc/os-release") else ""
    apt_ok = ('ID=debian' in osrel and 'VERSION_ID="12"' in osrel and shutil.which("apt-cache")
              and subprocess.run(["apt-cache", "show", "libc6"], capture_output=True).returncode == 0)
    if apt_ok:
        # one call (apt-cache takes a second or two to start); missing names
        # are left out of its answer
        r = subprocess.run(["apt-cache", "show", "--no-all-versions"] + sorted(set(bpk + rpk)),
                           capture_output=True, text=True)
        found = set(re.findall(r"^Package: (\S+)", r.stdout, re.M))
        for p in sorted(set(bpk + rpk)):
            c.check(p in found, f"Containerfile: package {p} is not in Debian 12's archive")
    else:
        c.notes.append("SKIP package existence: this machine is not Debian 12 with apt lists (apt-get update)")

    # 2. the builder has the package of every pkg-config module the Makefile uses
    mk = open(os.path.join(ROOT, "Makefile")).read()
    mods = re.search(r"^PKGS\s*:?=\s*(.*)$", mk, re.M).group(1).split()
    deps = open(os.path.join(ROOT, "scripts", "deps.sh")).read()
    for need in ("build-essential", "pkg-config"):
        c.check(need in bpk, f"Containerfile: builder lacks {need}")
    for mod in mods:
        r = subprocess.run(["pkg-config", "--variable=pcfiledir", mod], capture_output=True, text=True)
        pc = os.path.join(r.stdout.strip(), mod + ".pc")
        owner = dpkg_owner(pc)
        if c.check(owner, f"Makefile module {mod}: no Debian package owns {pc}"):
            c.check(owner in bpk, f"Containerfile: builder lacks {owner} (pkg-config {mod})")
            c.check(re.search(rf"(^|\s){re.escape(owner)}(\s|$)", deps, re.M), f"scripts/deps.sh does not install {owner}")

    # 3. the runtime stage has the package of every library the programs link
    copied = {}
    for cp in run["copies"]:
        if cp["from"]:
            for s in cp["src"]:
                m = re.fullmatch(r"/src/build/([\w-]+)", s)
                c.check(m, f"Containerfile: copies {s} from the builder, not a program of build/")
                if m:
                    copied[m.group(1)] = cp["dst"]
    required = set()
    for prog in copied:
        binary = os.path.join(ROOT, "build", prog)
        c.check(re.search(rf"^\$\(BUILD\)/{re.escape(prog)}:", mk, re.M), f"Makefile: no rule builds build/{prog}")
        c.check(prog in re.search(r"^PROGS\s*:?=(.*)$", mk, re.M).group(1), f"Makefile: `make all` does not build {prog}")
        if not c.check(os.access(binary, os.X_OK), f"build/{prog} is not built (make all)"):
            continue
        needed = re.findall(r"NEEDED\).*\[(.+)\]", subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout)
        where = dict(re.findall(r"^\s*(\S+) => (\S+)", subprocess.run(["ldd", binary], capture_output=True, text=True).stdout, re.M))
        for lib in needed:
            owner = dpkg_owner(where.get(lib, ""))
            if not c.check(owner, f"build/{prog}: no Debian package owns {lib}"):
                continue
            if owner not in rpk:
                required.add((prog, lib, owner))
    base = base_packages()
    for prog, lib, owner in sorted(required):
        c.check(owner in base, f"Containerfile: runtime stage lacks {owner} ({lib}, linked by {prog})")

    # 4. the COPY lines carry every source file the build read
    srcs = [s.rstrip("/") for cp in build["copies"] if not cp["from"] for s in cp["src"]]
    for s in srcs:
        c.check(os.path.exists(os.path.join(ROOT, s)), f"Containerfile: COPY {s}: no such file in the checkout")
    read = set()
    for dfile in glob.glob(os.path.join(ROOT, "build", "**", "*.d"), recursive=True):
        r = rel(dfile)
        if r.startswith(("build/tests", "build/san", "build/tsan", "build/fuzz")) or "/tests/" in r:
            continue
        text = open(dfile).read().replace("\\\n", " ")
        for tok in re.findall(r"[^\s:]+", text):
            if not tok.startswith("/") and not tok.startswith("build/") and tok.endswith((".c", ".h")):
                read.add(os.path.normpath(tok))
    c.check(read, "build/: no dependency files (make all)")
    for f in sorted(read):
        if os.path.exists(os.path.join(ROOT, f)):
            c.check(any(f == s or f.startswith(s + "/") for s in srcs), f"Containerfile: the build reads {f}, which no COPY carries")
    for cp in run["copies"]:
        if not cp["from"]:
            for s in cp["src"]:
                c.check(os.path.exists(os.path.join(ROOT, s)), f"Containerfile: COPY {s}: no such file in the checkout")

    # 5. every program the runtime stage runs is one the builder made, on PATH
    entry, cmd, hc = run.get("ENTRYPOINT") or [], run.get("CMD") or [], run.get("HEALTHCHECK") or []
    c.check(isinstance(hc, list) and hc[:2] == ["dromd", "health"], "Containerfile: HEALTHCHECK is not `dromd health`")
    for argv in (entry, hc):
        if argv:
            prog = argv[0]
            c.check(prog in copied and copied[prog].rstrip("/") in ("/usr/local/bin", "/usr/bin"),
                    f"Containerfile: runs {prog}, which is not a program copied from the builder onto PATH")
    for s in run["runs"]:
        for tok in re.findall(r"(?:^|&&|;)\s*(?:\w+=\S*\s+)*([\w./-]+)", s):
            c.check(tok in ("apt-get", "rm", "groupadd", "useradd", "install"),
                    f"Containerfile: runtime RUN uses {tok}, not checked to exist in debian:12-slim")

    # 6. the flags are dromd's, the user is not root, the port and state agree
    if not c.check(os.access(DROMD, os.X_OK), f"{DROMD} is not built (make all)"):
        return
    dflags, hflags = help_flags([DROMD, "--help"]), help_flags([DROMD, "health", "--help"])
    for f in flags_of(entry + cmd):
        c.check(f in dflags, f"Containerfile: dromd does not know {f} (dromd --help)")
    for f in flags_of(hc[2:]):
        c.check(f in hflags, f"Containerfile: dromd health does not know {f} (dromd health --help)")
    kinds = by_kind(load_docs(c))
    for f, dep in kinds.get("Deployment", []):
        for fl in flags_of(container(dep).get("args", []) or []):
            c.check(fl in dflags, f"{rel(f)}: dromd does not know {fl}")
    user = run.get("USER", "").split(":")[0]
    c.check(user.isdigit() and user != "0", f"Containerfile: USER {user!r} is not a numeric non-root uid")
    http = flag_value(entry, "--http") or ""
    port = http.rsplit(":", 1)[-1]
    c.check(run.get("EXPOSE", "").split("/")[0] == port, f"Containerfile: EXPOSE {run.get('EXPOSE')} is not the --http port {port}")
    c.check(flag_value(hc, "--http") == f"127.0.0.1:{port}", "Containerfile: HEALTHCHECK asks another port than --http serves")
    c.check(flag_value(entry, "--state-dir") in (run.get("VOLUME") or []), "Containerfile: --state-dir is not a VOLUME")
    c.check("--log-format" in entry and flag_value(entry, "--log-format") == "json", "Containerfile: logs are not JSON")
    cmd_files = [a for a in cmd if a.startswith("/")]
    dsts = [cp["dst"] for cp in run["copies"] if not cp["from"]]
    for a in cmd_files:
        c.check(a in dsts, f"Containerfile: CMD names {a}, which the image does not contain")

    # 7. dromd runs with the ENTRYPOINT's flags and the HEALTHCHECK passes
    with tempfile.TemporaryDirectory(prefix="deploy-run-") as tmp:
        route = os.path.join(tmp, "routes.xml")
        with open(route, "w") as fh:
            fh.write('<routes xmlns="http://camel.apache.org/schema/xml-io"><route id="tick">'
                     '<from uri="timer:tick?period=200"/><log message="tick"/></route></routes>\n')
        p = free_port()
        argv = [DROMD if a == "dromd" else a for a in entry]
        argv[argv.index("--http") + 1] = f"0.0.0.0:{p}"
        argv[argv.index("--state-dir") + 1] = os.path.join(tmp, "state")
        health = [DROMD if a == "dromd" else a for a in hc]
        health[health.index("--http") + 1] = f"127.0.0.1:{p}"
        log = open(os.path.join(tmp, "dromd.log"), "w+")
        proc = subprocess.Popen(argv + [route], stdout=log, stderr=subprocess.STDOUT)
        try:
            ok, deadline = False, time.monotonic() + 10
            while time.monotonic() < deadline and proc.poll() is None:
                if subprocess.run(health, capture_output=True, timeout=10).returncode == 0:
                    ok = True
                    break
                time.sleep(0.1)
            log.seek(0)
            out = log.read()
            c.check(ok, f"`{' '.join(hc)}` never passed against `{' '.join(entry)}`:\n{out[-2000:]}")
            first = out.splitlines()[0] if out else ""
            try:
                c.check(isinstance(json.loads(first), dict), "dromd --log-format json: the first line is not a JSON object")
            except ValueError:
                c.check(False, f"dromd --log-format json: the first line is not JSON: {first}")
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            log.close()
        c.check(rc == 0, f"dromd did not stop cleanly on SIGTERM (exit {rc})")


def base_packages():
    """What debian:12-slim holds without asking: the Essential packages and
    the packages they depend on directly (libc6, libgcc-s1, ...)."""
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\n"],
                       capture_output=True, text=True)
    base = set()
    for line in r.stdout.splitlines():
        name, essential, deps = (line.split("\t") + ["", ""])[:3]
        if essential == "yes":
            base.add(name)
            base.update(re.findall(r"(?:^|[,|]\s*)([a-z0-9][a-z0-9.+-]+)", deps))
    return base


def dpkg_owner(path):
    """The Debian package owning a file (following /lib -> /usr/lib), or None."""
    if not path or not shutil.which("dpkg-query"):
        return None
    cands = {path, os.path.realpath(path)}
    for p in list(cands):
        if p.startswith("/usr/lib/"):
            cands.add(p[4:])
        elif p.startswith("/lib/"):
            cands.add("/usr" + p)
    for p in sorted(cands):
        r = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0].split(",")[0].strip()
    return None


GROUPS = {"manifests": group_manifests, "deployment": group_deployment,
          "routes": group_routes, "containerfile": group_containerfile}


def main(argv):
    names = argv or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        print(f"usage: check.py [{'|'.join(GROUPS)}]... (unknown: {' '.join(unknown)})", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    failed = False
    for n in names:
        c = Checks()
        try:
            GROUPS[n](c)
        except Exception as e:  # a malformed file must read as a failure, not a traceback
            c.failures.append(f"{type(e).__name__}: {e}")
        for note in c.notes:
            if note:
                print(f"{n}: {note}")
        for f in c.failures:
            print(f"{n}: FAIL {f}")
        print(f"{n}: {'FAILED' if c.failures else 'ok'}")
        failed |= bool(c.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
