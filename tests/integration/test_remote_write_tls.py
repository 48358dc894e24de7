"""remote_write over TLS (issue 20's tls_config) against Debian's Prometheus serving its receiver over
HTTPS with client certificates required (--web.config.file: tls_server_config, RequireAndVerifyClientCert).

The receiver's certificate names receiver.test only, never 127.0.0.1, so each endpoint shows one key:
- `secure`: ca_file, cert_file + key_file and server_name: receiver.test -> its series are stored;
- `no_server_name`: the same without server_name -> the name check fails, nothing is sent, the samples
  wait (retried), and the log says why;
- `no_client_cert`: server_name but no client certificate -> Prometheus refuses the handshake, the same.
Certificates are made with openssl at test time.
"""
import json
import os
import shutil
import ssl
import subprocess
import time
import unittest
import urllib.parse
import urllib.request

from hostwatch_testutil import Agent, TempDir, parse_samples, require_binary, wait_for
from process import Process, free_port

PROMETHEUS = "/usr/bin/prometheus"
SERVER_NAME = "receiver.test"


def make_certs(d):
    """A private CA; a server certificate for receiver.test only; a client certificate. All signed by the CA."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d, timeout=60)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=hostwatch rw test CA")
    for name, ext in (("server", "subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n" % SERVER_NAME),
                      ("client", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\n" + ext)
        run("req", *ec, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name)
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "30", "-extfile", name + ".ext", "-out", name + ".pem")
    return {n: os.path.join(d, n) for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make test certificates")
class RemoteWriteTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        if not os.access(PROMETHEUS, os.X_OK):
            raise unittest.SkipTest(PROMETHEUS + " is not installed (packaging/install-deps.sh)")
        cls.tmp = TempDir()
        cls.certs = make_certs(cls.tmp.path)
        cls.receiver = cls.start_receiver()
        try:
            cls.agent = Agent("--config.file=" + cls.tmp.write("hostwatch.yml", json.dumps(cls.agent_config())))
        except BaseException:  # unittest skips tearDownClass when setUpClass fails: stop what started
            cls.receiver.stop()
            raise

    @classmethod
    def start_receiver(cls):
        c = cls.certs
        web = cls.tmp.write("web.yml", json.dumps({"tls_server_config": {
            "cert_file": c["server.pem"], "key_file": c["server.key"],
            "client_auth_type": "RequireAndVerifyClientCert", "client_ca_file": c["ca.pem"]}}))
        config = cls.tmp.write("prometheus.yml", "global: {}\n")
        cls.port = free_port()
        # Ready when the port accepts: its HTTP readiness path is behind client certificates.
        return Process([PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(cls.tmp.path, "data"),
                        "--web.listen-address=127.0.0.1:%d" % cls.port, "--web.enable-remote-write-receiver",
                        "--web.config.file=" + web],
                       name="prometheus", port=cls.port, log_path=os.path.join(cls.tmp.path, "prometheus.log"),
                       timeout=60, stop_timeout=20)

    @classmethod
    def agent_config(cls):
        c = cls.certs
        url = "https://127.0.0.1:%d/api/v1/write" % cls.port
        client = {"cert_file": c["client.pem"], "key_file": c["client.key"]}
        tls = {
            "secure": dict(client, ca_file=c["ca.pem"], server_name=SERVER_NAME),
            "no_server_name": dict(client, ca_file=c["ca.pem"]),
            "no_client_cert": {"ca_file": c["ca.pem"], "server_name": SERVER_NAME},
        }
        return {
            "collectors": {"disable_defaults": True, "loadavg": {"enabled": True}},
            "remote_write": {"interval": "1s", "external_labels": {"instance": "tls-1"},
                             "buffer": {"directory": os.path.join(cls.tmp.path, "buffer")},
                             "endpoints": [{"name": name, "url": url, "tls_config": t,
                                            "queue_config": {"min_backoff": "50ms", "max_backoff": "500ms"}}
                                           for name, t in sorted(tls.items())]}}

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.receiver.stop()
        cls.tmp.cleanup()

    def query(self, promql):
        """The result vector of an instant query, asked over the receiver's mutual TLS."""
        ctx = ssl.create_default_context(cafile=self.certs["ca.pem"])
        ctx.load_cert_chain(self.certs["client.pem"], self.certs["client.key"])
        ctx.check_hostname = False  # Python dials 127.0.0.1; the agent's side is what this test checks
        q = urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen("https://127.0.0.1:%d/api/v1/query?%s" % (self.port, q), context=ctx,
                                    timeout=20) as r:
            return json.loads(r.read())["data"]["result"]

    def self_metric(self, name, endpoint):
        samples = parse_samples(self.agent.metrics())
        return samples.get('%s{remote_name="%s",url="https://127.0.0.1:%d/api/v1/write"}' % (name, endpoint, self.port))

    def test_server_name_and_client_certificate_deliver(self):
        self.assertTrue(wait_for(lambda: self.query('node_load1{instance="tls-1"}'), timeout=40),
                        "nothing stored over TLS:\n" + self.agent.log()[-3000:])
        self.assertTrue(wait_for(lambda: (self.self_metric("prometheus_remote_storage_samples_total", "secure")
                                          or 0) > 0, timeout=20))
        self.assertEqual(self.self_metric("prometheus_remote_storage_samples_failed_total", "secure"), 0)

    def test_without_server_name_the_ip_is_verified_and_refused(self):
        self.assert_never_delivered("no_server_name")
        self.assertIn("certificate", self.agent_log_line("no_server_name"))

    def test_without_client_certificate_the_receiver_refuses(self):
        self.assert_never_delivered("no_client_cert")

    def assert_never_delivered(self, endpoint):
        retried = lambda: self.self_metric("prometheus_remote_storage_samples_retried_total", endpoint) or 0
        self.assertTrue(wait_for(lambda: retried() > 0, timeout=30),
                        "%s was never retried:\n%s" % (endpoint, self.agent.log()[-3000:]))
        # Delivered to the secure endpoint meanwhile, so the receiver was up all along.
        self.assertTrue(wait_for(lambda: self.query('node_load1{instance="tls-1"}'), timeout=40))
        self.assertEqual(self.self_metric("prometheus_remote_storage_samples_total", endpoint) or 0, 0)
        self.assertIn("err=", self.agent_log_line(endpoint))

    def agent_log_line(self, endpoint):
        """The one warning of the endpoint's outage (once per outage, with the reason)."""
        lines = [line for line in self.agent.log().splitlines()
                 if "keeping it and retrying" in line and "remote_name=" + endpoint + " " in line]
        self.assertEqual(len(lines), 1, self.agent.log()[-3000:])
        return lines[0]

if __name__ == "__main__":
    unittest.main()
