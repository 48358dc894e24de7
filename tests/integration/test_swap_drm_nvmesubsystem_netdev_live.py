"""The swap, drm and nvmesubsystem collectors and netdev's address-info, enable-detailed-metrics and
label-ifalias options (node_exporter 1.12.1, issue 18) in the real binary on this host: each
collector succeeds where its kernel interface exists, else has no data without a warning or error
line; node_network_address_info lists exactly the addresses `ip -j addr` shows (loopback's
127.0.0.1/8 and ::1/128 on every host)."""
import json
import os
import re
import subprocess
import unittest

from hostwatch_testutil import Agent, check_metrics_with_promtool, parse_samples, require_binary, sample

PATHS = {"swap": "/proc/swaps", "drm": "/sys/class/drm", "nvmesubsystem": "/sys/class/nvme-subsystem"}


class SwapDrmNvmesubsystemLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        with Agent("--log.level=debug", *["--collector." + name for name in PATHS]) as agent:
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_each_succeeds_where_its_path_exists_else_has_no_data(self):
        for name, path in PATHS.items():
            success = sample(self.text, 'node_scrape_collector_success{collector="%s"}' % name)
            self.assertEqual(success, 1 if os.path.exists(path) else 0, "%s; log:\n%s" % (name, self.log))
            self.assertNotRegex(self.log, r"level=(error|warn).*name=%s " % name)

    def test_swap_lists_each_active_swap_area(self):
        with open("/proc/swaps") as f:
            areas = [line.split()[0] for line in f.read().splitlines()[1:] if line.strip()]
        series = [k for k in parse_samples(self.text) if k.startswith("node_swap_size_bytes{")]
        self.assertEqual(len(series), len(areas), self.text)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)


class NetdevOptionsLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        with Agent("--log.level=debug", "--collector.netdev.address-info", "--collector.netdev.label-ifalias",
                   "--collector.netdev.enable-detailed-metrics") as agent:
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_address_info_lists_what_ip_addr_shows(self):
        shown = set()
        for link in json.loads(subprocess.run(["ip", "-j", "addr", "show"], capture_output=True, text=True,
                                              check=True).stdout):
            for a in link.get("addr_info", []):
                if a.get("family") in ("inet", "inet6"):
                    shown.add((link["ifname"], a["local"], str(a["prefixlen"])))
        got = set(re.findall(r'node_network_address_info\{address="([^"]*)",device="([^"]*)",netmask="(\d+)",'
                             r'scope="[^"]*"\} 1', self.text))
        self.assertEqual({(d, a, m) for a, d, m in got}, shown, self.text)
        self.assertEqual(sample(self.text, 'node_network_address_info{address="127.0.0.1",device="lo",netmask="8",'
                                           'scope="link-local"}'), 1)
        self.assertEqual(sample(self.text, 'node_network_address_info{address="::1",device="lo",netmask="128",'
                                           'scope="link-local"}'), 1)

    def test_detailed_names_and_the_ifalias_label(self):
        with open("/sys/class/net/lo/ifalias") as f:
            alias = f.read().strip()
        series = 'node_network_receive_missed_errors_total{device="lo",ifalias="%s"}' % alias
        self.assertIsNotNone(sample(self.text, series), self.text)
        self.assertNotIn("node_network_receive_errs_total", self.text)
        self.assertEqual(sample(self.text, 'node_scrape_collector_success{collector="netdev"}'), 1, self.log)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)


if __name__ == "__main__":
    unittest.main()
