"""compare.py's "remotewrite" phase: what pushing costs, hostwatch's remote_write against the usual
pair it replaces (an exporter scraped by Prometheus in agent mode, which remote-writes).

Over the same window, all on 127.0.0.1, every process started and stopped here by PID:
  - A: hostwatch (default collectors) with `remote_write` every 15 s to a VictoriaMetrics;
  - B: hostwatch (default collectors, no push) scraped every 15 s by Debian's Prometheus 2.42 with
       --enable-feature=agent, remote-writing to the same VictoriaMetrics.
Rows: CPU seconds per push (A: the agent; B: Prometheus plus the scraped agent), resident memory
(A: the agent; B: both processes), bytes on the wire per sample (each side's
prometheus_remote_storage_bytes_total / samples_total: both compress with snappy).
"""
import os
import re
import time

PROMETHEUS = "/usr/bin/prometheus"
VICTORIA = "/usr/bin/victoria-metrics"
INTERVAL_SECONDS = 15


def counter(text, name):
    """Sum of a family's samples in an exposition text (0 when absent)."""
    total = 0.0
    for m in re.finditer(r"^%s(?:\{[^}]*\})? (\S+)" % re.escape(name), text, re.M):
        total += float(m.group(1))
    return total


def start_victoria(compare, tmp):
    data = os.path.join(tmp, "vm-data")
    return compare.Process.on_free_port(
        lambda port: [VICTORIA, "-storageDataPath=" + data, "-httpListenAddr=127.0.0.1:%d" % port,
                      "-loggerLevel=ERROR"], name="victoria-metrics", ready_path="/health", timeout=30)


def start_pushing_agent(compare, hostwatch_bin, tmp, push_url):
    config = os.path.join(tmp, "rw-hostwatch.yml")
    with open(config, "w") as f:
        f.write("remote_write:\n  interval: %ds\n  external_labels: {instance: bench}\n"
                "  buffer: {directory: %s}\n  endpoints:\n    - {name: vm, url: '%s'}\n"
                % (INTERVAL_SECONDS, os.path.join(tmp, "rw-buffer"), push_url))
    return compare.start_hostwatch(hostwatch_bin, "--config.file=" + config)


def start_prometheus_agent(compare, tmp, target_port, push_url):
    config = os.path.join(tmp, "prometheus-agent.yml")
    with open(config, "w") as f:
        f.write("global: {scrape_interval: %ds, external_labels: {instance: bench}}\n"
                "scrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['127.0.0.1:%d']}]\n"
                "remote_write:\n  - url: '%s'\n" % (INTERVAL_SECONDS, target_port, push_url))
    return compare.Process.on_free_port(
        lambda port: [PROMETHEUS, "--enable-feature=agent", "--config.file=" + config,
                      "--storage.agent.path=" + os.path.join(tmp, "prometheus-agent"),
                      "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
        name="prometheus-agent", ready_path="/-/ready", timeout=60)


def remote_write_phase(args, table, hostwatch_bin, tmp, compare):
    """compare: the compare module (Process, start_hostwatch, HttpClient, fmt, ratio, Table ...)."""
    for tool in (PROMETHEUS, VICTORIA):
        if not os.access(tool, os.X_OK):
            table.add("remote_write (skipped: %s missing)" % tool, "-", "-", "-", "-", None)
            return
    seconds = 60 if args.quick else 300
    started = []
    try:
        vm = start_victoria(compare, tmp)
        started.append(vm)
        push_url = "http://127.0.0.1:%d/api/v1/write" % vm.port
        pushing = start_pushing_agent(compare, hostwatch_bin, tmp, push_url)
        started.append(pushing)
        scraped = compare.start_hostwatch(hostwatch_bin)
        started.append(scraped)
        prom = start_prometheus_agent(compare, tmp, scraped.port, push_url)
        started.append(prom)
        time.sleep(INTERVAL_SECONDS + 2)  # both sides past their first push (start-up costs excluded)
        cpu0 = [p.cpu_seconds() for p in (pushing, scraped, prom)]
        time.sleep(seconds)
        pushing_cpu, scraped_cpu, prom_cpu = (p.cpu_seconds() - c for p, c in zip((pushing, scraped, prom), cpu0))
        pushes = seconds / INTERVAL_SECONDS
        ours_cpu = pushing_cpu / pushes
        theirs_cpu = (prom_cpu + scraped_cpu) / pushes
        ours_rss = sum(pushing.rss_anon_file_kib()) / 1024.0
        theirs_rss = (sum(prom.rss_anon_file_kib()) + sum(scraped.rss_anon_file_kib())) / 1024.0
        ours_text = compare.HttpClient(pushing.port).get("/metrics")[1]
        theirs_text = compare.HttpClient(prom.port).get("/metrics")[1]
    finally:
        for p in reversed(started):
            p.stop()

    def per_sample(text):
        samples = counter(text, "prometheus_remote_storage_samples_total")
        return counter(text, "prometheus_remote_storage_bytes_total") / samples if samples else None

    table.add("remote_write every %d s for %d s: hostwatch pushing vs hostwatch scraped by Prometheus 2.42 "
              "agent mode" % (INTERVAL_SECONDS, seconds), "", "", "", "", None)
    for metric, a, b, digits in (("  CPU per push (ms)", ours_cpu * 1000, theirs_cpu * 1000, 3),
                                 ("  resident memory (MiB)", ours_rss, theirs_rss, 3),
                                 ("  bytes on the wire per sample", per_sample(ours_text), per_sample(theirs_text), 3)):
        table.add(metric, compare.fmt(a, digits=digits), compare.fmt(b, digits=digits),
                  compare.fmt(compare.ratio(a, b), "", 3), "-", None)
