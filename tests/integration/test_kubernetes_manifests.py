"""packaging/kubernetes/: every manifest validated against Kubernetes' OpenAPI schema (npm's
kubernetes-models) and the Prometheus operator's CRD schema (@kubernetes-models/prometheus-operator)
by tests/integration/k8s_validate/validate.mjs, and the DaemonSet's promises checked as properties:
host namespaces, read-only host mounts, non-root, no capabilities (NET_RAW only in the icmp overlay),
the ConfigMap's hostwatch.yml accepted by the agent, the Service and monitors pointing at the pods.

npm installs the validator's locked dependencies (package-lock.json) into the build tree once
(HOSTWATCH_BINARY_DIR/k8s-validate); without node/npm or the registry the test is skipped, saying why.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from hostwatch_testutil import SOURCE_DIR, run_agent

BUILD_DIR = os.environ.get("HOSTWATCH_BINARY_DIR", "")
VALIDATOR_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "k8s_validate")
MANIFESTS = os.path.join(SOURCE_DIR, "packaging", "kubernetes")
BASE = os.path.join(MANIFESTS, "base")
VALIDATOR = os.path.join(BUILD_DIR, "k8s-validate")
KINDS = {"ConfigMap", "DaemonSet", "Service", "ServiceMonitor", "PodMonitor"}


def install_validator():
    """Copies the validator into the build tree and runs `npm ci` when its lockfile changed.
    None when it is ready, else why it cannot be."""
    if not BUILD_DIR:
        return "HOSTWATCH_BINARY_DIR not set; run through ctest"
    for tool in ["node", "npm"]:
        if shutil.which(tool) is None:
            return "needs %s (packaging/install-deps.sh installs nodejs and npm)" % tool
    os.makedirs(VALIDATOR, exist_ok=True)
    with open(os.path.join(VALIDATOR_SRC, "package-lock.json")) as f:
        lock = f.read()
    stamp = os.path.join(VALIDATOR, "node_modules", ".hostwatch-lock")
    for name in ["package.json", "package-lock.json", "validate.mjs"]:
        shutil.copy(os.path.join(VALIDATOR_SRC, name), VALIDATOR)
    if os.path.exists(stamp) and open(stamp).read() == lock:
        return None
    res = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--cache", os.path.join(VALIDATOR, "npm-cache")],
                         cwd=VALIDATOR, capture_output=True, text=True, timeout=240)
    if res.returncode != 0:
        return "npm ci could not install kubernetes-models (registry unreachable?): " + res.stderr.strip()[-400:]
    with open(stamp, "w") as f:
        f.write(lock)
    return None


def validate(*paths, patch=None, stdin=None):
    """(exit code, [one dict per document]) from validate.mjs."""
    argv = ["node", os.path.join(VALIDATOR, "validate.mjs")] + (["--patch", patch] if patch else []) + list(paths)
    res = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
    docs = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    if res.returncode not in (0, 1) or (res.returncode == 1 and not any(d.get("error") for d in docs)):
        raise AssertionError("validate.mjs exited %d:\n%s" % (res.returncode, res.stderr))
    return res.returncode, docs


def manifest_files():
    return sorted(os.path.join(BASE, f) for f in os.listdir(BASE) if f.endswith(".yaml") and f != "kustomization.yaml")


def setUpModule():
    reason = install_validator()
    if reason:
        raise unittest.SkipTest("manifest validation skipped: " + reason)


class SchemaTest(unittest.TestCase):
    def test_every_manifest_is_valid(self):
        code, docs = validate(*manifest_files())
        self.assertEqual([(d["kind"], d["error"]) for d in docs if d.get("error")], [])
        self.assertEqual(code, 0)
        self.assertEqual({d["kind"] for d in docs}, KINDS)

    def test_the_icmp_patch_applies_and_stays_valid(self):
        code, docs = validate(os.path.join(BASE, "daemonset.yaml"), patch=os.path.join(MANIFESTS, "icmp", "net-raw.yaml"))
        self.assertEqual((code, docs[0]["error"]), (0, None))
        container = docs[0]["doc"]["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["securityContext"]["capabilities"], {"drop": ["ALL"], "add": ["NET_RAW"]})
        self.assertTrue(container["securityContext"]["readOnlyRootFilesystem"])
        self.assertFalse(container["securityContext"]["allowPrivilegeEscalation"])

    def test_a_mutated_manifest_fails(self):
        """The validator really checks: each broken copy is refused, naming the field."""
        mutations = [
            ("daemonset.yaml", "runAsNonRoot: true", 'runAsNonRoot: "yes"', "runAsNonRoot must be boolean"),
            ("daemonset.yaml", "type: RuntimeDefault", "type: Sometimes", "seccompProfile/type"),
            ("daemonset.yaml", "containerPort: 9555", "containerPort: metrics", "containerPort must be integer"),
            ("servicemonitor.yaml", "- port: metrics", "- port: 9555", "endpoints/0/port must be string"),
            ("podmonitor.yaml", "interval: 15s", "interval: [15s]", "interval must be string"),
            ("service.yaml", "kind: Service", "kind: Servise", "Servise"),
        ]
        for name, old, new, reason in mutations:
            with open(os.path.join(BASE, name)) as f:
                text = f.read()
            self.assertIn(old, text, name)
            code, docs = validate("-", stdin=text.replace(old, new, 1))
            self.assertEqual(code, 1, "%s with %r passed" % (name, new))
            self.assertIn(reason, docs[0]["error"], name)

    def test_kustomize_renders_valid_manifests(self):
        """kubectl's own kustomize renders both kustomizations into valid manifests (when kubectl exists)."""
        if shutil.which("kubectl") is None:
            self.skipTest("kubectl not installed: kustomization rendering not checked")
        for directory, kinds in [(BASE, KINDS - {"PodMonitor"}), (os.path.join(MANIFESTS, "icmp"), KINDS - {"PodMonitor"})]:
            rendered = subprocess.run(["kubectl", "kustomize", directory], capture_output=True, text=True, timeout=60)
            self.assertEqual(rendered.returncode, 0, rendered.stderr)
            code, docs = validate("-", stdin=rendered.stdout)
            self.assertEqual([(d["kind"], d["error"]) for d in docs if d.get("error")], [])
            self.assertEqual({d["kind"] for d in docs}, kinds)
            self.assertEqual({d["doc"]["metadata"].get("namespace") for d in docs}, {"monitoring"})


class DaemonSetPropertiesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        _, docs = validate(*manifest_files())
        cls.docs = {d["kind"]: d["doc"] for d in docs}
        cls.pod = cls.docs["DaemonSet"]["spec"]["template"]
        cls.container = cls.pod["spec"]["containers"][0]

    def test_host_namespaces_and_read_only_host_mounts(self):
        spec = self.pod["spec"]
        self.assertTrue(spec["hostPID"])
        self.assertTrue(spec["hostNetwork"])
        host_paths = {v["name"]: v["hostPath"]["path"] for v in spec["volumes"] if "hostPath" in v}
        mounts = {m["mountPath"]: m for m in self.container["volumeMounts"]}
        # Where the image's entrypoint looks (--path.rootfs=/host, /host/proc, /host/sys).
        for mount_path, host_path in [("/host", "/"), ("/host/proc", "/proc"), ("/host/sys", "/sys")]:
            self.assertTrue(mounts[mount_path]["readOnly"], mount_path)
            self.assertEqual(host_paths[mounts[mount_path]["name"]], host_path)
        self.assertEqual(set(host_paths.values()), {"/", "/proc", "/sys"})
        with open(os.path.join(SOURCE_DIR, "packaging", "container", "Containerfile")) as f:
            containerfile = f.read()
        for flag in ["--path.rootfs=/host", "--path.procfs=/host/proc", "--path.sysfs=/host/sys"]:
            self.assertIn('"%s"' % flag, containerfile)

    def test_non_root_read_only_no_capabilities(self):
        pod_sc, sc = self.pod["spec"]["securityContext"], self.container["securityContext"]
        self.assertTrue(pod_sc["runAsNonRoot"] and sc["runAsNonRoot"])
        self.assertTrue(sc["readOnlyRootFilesystem"])
        self.assertFalse(sc["allowPrivilegeEscalation"])
        self.assertEqual(sc["capabilities"], {"drop": ["ALL"]})
        with open(os.path.join(SOURCE_DIR, "packaging", "container", "Containerfile")) as f:
            user = re.search(r"(?m)^USER (\d+):(\d+)$", f.read())
        self.assertEqual((pod_sc["runAsUser"], pod_sc["runAsGroup"]), (int(user.group(1)), int(user.group(2))))
        self.assertFalse(self.pod["spec"]["automountServiceAccountToken"])

    def test_resources_requests_within_limits(self):
        res = self.container["resources"]
        self.assertEqual(set(res), {"requests", "limits"})
        mib = lambda q: int(q[:-2]) * (1024 if q.endswith("Gi") else 1)  # noqa: E731
        milli = lambda q: int(q[:-1]) if q.endswith("m") else int(float(q) * 1000)  # noqa: E731
        self.assertLessEqual(mib(res["requests"]["memory"]), mib(res["limits"]["memory"]))
        self.assertLessEqual(milli(res["requests"]["cpu"]), milli(res["limits"]["cpu"]))

    def test_config_map_is_a_configuration_the_agent_accepts(self):
        config_map = self.docs["ConfigMap"]
        volume = [v for v in self.pod["spec"]["volumes"] if "configMap" in v][0]
        self.assertEqual(volume["configMap"]["name"], config_map["metadata"]["name"])
        mount = [m for m in self.container["volumeMounts"] if m["name"] == volume["name"]][0]
        self.assertIn("--config.file=%s/hostwatch.yml" % mount["mountPath"], self.container["args"])
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            f.write(config_map["data"]["hostwatch.yml"])
            f.flush()
            res = run_agent("--config.file=" + f.name, "--config.check")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("configuration OK", res.stdout)

    def test_service_and_monitors_reach_the_metrics_port(self):
        labels = self.pod["metadata"]["labels"]
        port = self.container["ports"][0]
        self.assertEqual((port["name"], port["containerPort"]), ("metrics", 9555))
        self.assertIn("--web.listen-address=:9555", self.container["args"])
        service = self.docs["Service"]["spec"]
        self.assertLessEqual(service["selector"].items(), labels.items())
        self.assertEqual(service["ports"][0]["targetPort"], "metrics")
        monitor = self.docs["ServiceMonitor"]["spec"]
        self.assertLessEqual(monitor["selector"]["matchLabels"].items(), self.docs["Service"]["metadata"]["labels"].items())
        self.assertEqual(monitor["endpoints"][0]["port"], service["ports"][0]["name"])
        pod_monitor = self.docs["PodMonitor"]["spec"]
        self.assertLessEqual(pod_monitor["selector"]["matchLabels"].items(), labels.items())
        self.assertEqual(pod_monitor["podMetricsEndpoints"][0]["port"], "metrics")
        for probe in ["livenessProbe", "readinessProbe"]:
            self.assertEqual(self.container[probe]["httpGet"]["port"], "metrics")


if __name__ == "__main__":
    unittest.main()
