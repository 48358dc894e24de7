"""What the end-to-end tests of module checks (`modules:` + `checks:`: tcp, grpc, ...) share, as a
mixin for their unittest.TestCase class (standard library only):

    class GrpcChecksTest(ModuleChecksMixin, unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            ...                          # start the peers; set cls.tmp, cls.modules, cls.pairs
            cls.start_agent("grpc")      # one checks: entry per module, every 3s, labels {team: infra}

then self.value(name, module, target), self.reason_count(...), self.assert_every_check_keeps_running()
and self.assert_same_as_blackbox(compared) (Debian's blackbox_exporter on the same modules and targets).
"""
import json
import os
import urllib.parse

from hostwatch_testutil import Agent, Process, parse_samples, wait_for

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"


def names(samples):
    return {s.split("{", 1)[0] for s in samples}


class ModuleChecksMixin:
    @classmethod
    def start_agent(cls, what):
        """Runs the agent on cls.modules with a checks: entry per module of cls.pairs; waits for every pair's run."""
        checks = {}
        for module, target in cls.pairs:
            checks.setdefault(module, []).append(target)
        config = {"modules": cls.modules,
                  "checks": [{"module": m, "targets": t, "interval": "3s", "labels": {"team": "infra"}}
                             for m, t in sorted(checks.items())]}
        cls.config_path = cls.tmp.write("hostwatch.yml", json.dumps(config, indent=1))
        cls.agent = Agent("--config.file=" + cls.config_path, "--log.level=debug")
        cls.text = wait_for(cls.all_ran, timeout=20)
        if not cls.text:
            raise AssertionError("%s checks did not all run:\n%s" % (what, cls.agent.metrics()))
        cls.samples = parse_samples(cls.text)

    @classmethod
    def all_ran(cls):
        text = cls.agent.metrics()
        s = parse_samples(text)
        return text if all(cls.key("probe_success", m, t) in s for m, t in cls.pairs) else None

    @staticmethod
    def key(name, module, target, **labels):
        """The series as the exposition writes it: labels sorted by name, as Go's client sorts them."""
        labels.update(check=module, target=target, team="infra")
        return "%s{%s}" % (name, ",".join('%s="%s"' % kv for kv in sorted(labels.items())))

    def value(self, name, module, target, **labels):
        return self.samples.get(self.key(name, module, target, **labels))

    def reason_count(self, module, target, reason):
        return self.samples.get('hostwatch_check_failures_total{check="%s",reason="%s",target="%s"}'
                                % (module, reason, target))

    def assert_every_check_keeps_running(self):
        """Every pair completes another run within 15 s (a slow peer holds only its own check)."""
        def runs():
            s = parse_samples(self.agent.metrics())
            return {(m, t): s.get(self.key("probe_all_success_count", m, t)) for m, t in self.pairs}
        before = runs()
        after = wait_for(lambda: (lambda now: now if all(now[p] > before[p] for p in self.pairs) else None)(runs()),
                         timeout=15)
        self.assertIsNotNone(after, "some check stopped running: %s -> %s" % (before, runs()))

    def assert_same_as_blackbox(self, compared, skip=(), only_theirs=(), also=None):
        """Debian's blackbox_exporter on the same modules and each pair's target (but the modules in skip,
        which its configuration leaves out: they may use keys it lacks): the same metric names (but those
        in only_theirs when we have none) and the same values of compared; also(ours, theirs), if given,
        asserts more on each pair's two answers."""
        modules = {name: m for name, m in self.modules.items() if name not in skip}
        path = self.tmp.write("blackbox.yml", json.dumps({"modules": modules}))
        bb = Process.on_free_port(lambda port: [BLACKBOX, "--config.file=" + path,
                                                "--web.listen-address=127.0.0.1:%d" % port],
                                  name="blackbox", ready_path="/-/healthy")
        try:
            for module, target in self.pairs:
                if module in skip:
                    continue
                with self.subTest(module=module, target=target):
                    query = "/probe?" + urllib.parse.urlencode({"module": module, "target": target})
                    theirs = parse_samples(bb.request(query)[2].decode())
                    ours = parse_samples(self.agent.request(query)[2].decode())
                    missing = set(only_theirs) - names(ours)
                    theirs = {k: v for k, v in theirs.items() if k.split("{", 1)[0] not in missing}
                    self.assertEqual(sorted(names(ours)), sorted(names(theirs)), (ours, theirs))
                    for name in compared:
                        self.assertEqual(ours.get(name), theirs.get(name), name)
                    if also:
                        also(ours, theirs)
        finally:
            bb.stop()


def blackbox_installed():
    return os.path.exists(BLACKBOX)
