#!/usr/bin/env python3
"""Writes the Grafana dashboards of hostwatch: hostwatch-host.json, hostwatch-checks.json and
hostwatch-agent.json, next to this file.

The JSON files are committed (users import them as they are); this script is their source, so that
ids, grid positions, datasource references and variable matchers are consistent by construction.
Edit here, run `python3 dashboards/generate.py`, commit both. tests/integration/test_dashboards.py
fails when the committed JSON differs from what this script writes.

Conventions every panel follows (and the test lints):
- Classic dashboard JSON, schemaVersion 39 (Grafana 10.4+ reads it; newer versions migrate it).
- Only React panel types; every panel has a description and a unit.
- Data source through the `datasource` variable (works for UI import and file provisioning alike).
- `job`, `instance` (and `check`) variables are multi-select with All = `.+`, matched with `=~`.
- Every rate()/irate() range is $__rate_interval, so panels follow Grafana's interval and the
  datasource's scrape interval.
"""
import json
import os
import sys

SCHEMA_VERSION = 39
DS = {"type": "prometheus", "uid": "${datasource}"}
GRID_WIDTH = 24


# ---------------------------------------------------------------- selectors and targets

class Scope:
    """The label matchers every selector of one dashboard carries."""

    def __init__(self, *variables):
        self.variables = variables

    def __call__(self, metric, *matchers):
        parts = ['%s=~"$%s"' % (v, v) for v in self.variables] + list(matchers)
        return "%s{%s}" % (metric, ", ".join(parts))


def target(expr, legend="", instant=False, table=False):
    t = {"datasource": DS, "editorMode": "code", "expr": expr, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant}
    if table:
        t["format"] = "table"
    return t


# ---------------------------------------------------------------- panels

def thresholds(*steps, base="green"):
    """steps: (value, color) pairs above the base color."""
    out = [{"color": base, "value": None}]
    out += [{"color": color, "value": value} for value, color in steps]
    return {"mode": "absolute", "steps": out}


def _panel(kind, title, description, unit, targets, width, height, defaults=None, options=None,
           overrides=None, transformations=None):
    field_defaults = {"unit": unit, "thresholds": thresholds()}
    field_defaults.update(defaults or {})
    panel = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "fieldConfig": {"defaults": field_defaults, "overrides": overrides or []},
        "options": options or {},
        "targets": targets,
        "_size": (width, height),
    }
    if transformations:
        panel["transformations"] = transformations
    return panel


def timeseries(title, description, unit, targets, width=12, height=8, stack=False, min=None, max=None,
               overrides=None, decimals=None, lines=()):
    """lines: (value, color) pairs drawn as dashed threshold lines, e.g. the level an alert uses."""
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 20 if stack else 10, "showPoints": "never",
              "spanNulls": False, "axisSoftMin": 0,
              "stacking": {"mode": "normal" if stack else "none", "group": "A"},
              "thresholdsStyle": {"mode": "dashed" if lines else "off"}}
    defaults = {"custom": custom, "color": {"mode": "palette-classic"}}
    if lines:
        defaults["thresholds"] = thresholds(*lines)
    if min is not None:
        defaults["min"] = min
    if max is not None:
        defaults["max"] = max
    if decimals is not None:
        defaults["decimals"] = decimals
    options = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []},
               "tooltip": {"mode": "multi", "sort": "desc"}}
    return _panel("timeseries", title, description, unit, targets, width, height, defaults, options, overrides)


def _reduce():
    return {"calcs": ["lastNotNull"], "fields": "", "values": False}


def stat(title, description, unit, targets, width=4, height=4, steps=(), base="green", mappings=None,
         decimals=None, text_mode="auto", graph=True):
    defaults = {"thresholds": thresholds(*steps, base=base), "color": {"mode": "thresholds"}}
    if mappings:
        defaults["mappings"] = mappings
    if decimals is not None:
        defaults["decimals"] = decimals
    options = {"reduceOptions": _reduce(), "colorMode": "value", "graphMode": "area" if graph else "none",
               "justifyMode": "auto", "orientation": "auto", "textMode": text_mode}
    return _panel("stat", title, description, unit, targets, width, height, defaults, options)


def gauge(title, description, unit, targets, width=4, height=4, steps=(), min=0, max=1):
    defaults = {"thresholds": thresholds(*steps), "color": {"mode": "thresholds"}, "min": min, "max": max}
    options = {"reduceOptions": _reduce(), "showThresholdLabels": False, "showThresholdMarkers": True}
    return _panel("gauge", title, description, unit, targets, width, height, defaults, options)


def state_timeline(title, description, targets, mappings, width=24, height=6):
    defaults = {"custom": {"fillOpacity": 80, "lineWidth": 0}, "color": {"mode": "thresholds"},
                "mappings": mappings}
    options = {"mergeValues": True, "showValue": "never", "alignValue": "left", "rowHeight": 0.9,
               "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
               "tooltip": {"mode": "single", "sort": "none"}}
    return _panel("state-timeline", title, description, "none", targets, width, height, defaults, options)


def table(title, description, unit, targets, columns, width=24, height=8, hide=("Time", "job", "__name__")):
    """columns: {refId: (header, unit or None)}; instant queries merged into one row per series."""
    overrides = []
    rename = {}
    for ref, (header, col_unit) in columns.items():
        rename["Value #" + ref] = header
        if col_unit:
            overrides.append({"matcher": {"id": "byName", "options": "Value #" + ref},
                              "properties": [{"id": "unit", "value": col_unit}]})
    transformations = [{"id": "merge", "options": {}},
                       {"id": "organize", "options": {"excludeByName": {h: True for h in hide},
                                                      "renameByName": rename}}]
    options = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
    return _panel("table", title, description, unit, targets, width, height, {"custom": {"align": "auto"}}, options,
                  overrides, transformations)


def up_down_mappings(down="Down", up="Up"):
    return [{"type": "value", "options": {"0": {"text": down, "color": "red", "index": 0},
                                          "1": {"text": up, "color": "green", "index": 1}}}]


# ---------------------------------------------------------------- layout and dashboard

def layout(rows):
    """rows: [(row title, [panels], collapsed)]. Places panels left to right, wrapping at 24 columns;
    assigns ids and refIds. An expanded row's panels follow it at the top level; a collapsed row holds
    its panels (laid out as they will be when it is expanded) and Grafana runs their queries only when
    someone opens it, so a Prometheus with hundreds of hosts does not run every panel on load."""
    panels = []
    next_id = 1
    y = 0
    for title, row_panels, collapsed in rows:
        row = {"type": "row", "title": title, "collapsed": collapsed, "id": next_id,
               "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y}, "panels": []}
        panels.append(row)
        next_id += 1
        row_y = y
        y += 1
        x = 0
        line_height = 0
        for panel in row_panels:
            width, height = panel.pop("_size")
            if x + width > GRID_WIDTH:
                x = 0
                y += line_height
                line_height = 0
            panel["id"] = next_id
            next_id += 1
            panel["gridPos"] = {"h": height, "w": width, "x": x, "y": y}
            for i, t in enumerate(panel["targets"]):
                t["refId"] = chr(ord("A") + i)
            # Keys in a stable, readable order: identity, placement, query, presentation.
            ordered = {k: panel[k] for k in ("id", "type", "title", "description", "datasource", "gridPos",
                                            "targets", "fieldConfig", "options", "transformations") if k in panel}
            (row["panels"] if collapsed else panels).append(ordered)
            x += width
            line_height = max(line_height, height)
        y = row_y + 1 if collapsed else y + line_height
    return panels


def datasource_variable():
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1,
            "regex": "", "skipUrlSync": False}


def query_variable(name, label, query):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "definition": query, "current": {}, "hide": 0, "includeAll": True, "multi": True, "allValue": ".+",
            "options": [], "refresh": 2, "regex": "", "skipUrlSync": False, "sort": 1}


def dashboard(uid, title, description, tags, variables, rows):
    # No __inputs/__requires: their ${DS_...} placeholders are resolved only by the UI import dialog and
    # break file provisioning; the `datasource` variable serves both.
    return {
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
            "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
        "description": description,
        "editable": False,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": [{"asDropdown": True, "icon": "external link", "includeVars": True, "keepTime": True,
                   "tags": ["hostwatch"], "targetBlank": False, "title": "hostwatch", "type": "dashboards"}],
        "panels": layout(rows),
        "refresh": "30s",
        "schemaVersion": SCHEMA_VERSION,
        "tags": ["hostwatch"] + tags,
        "templating": {"list": [datasource_variable()] + variables},
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }


# ---------------------------------------------------------------- hostwatch-host

def host_dashboard():
    s = Scope("job", "instance")
    idle = s("node_cpu_seconds_total", 'mode="idle"')
    # The node-mixin's filesystem matchers, and no tmpfs: what the disk space alerts (node-alerts.yml) watch.
    fs = lambda m: s(m, 'fstype!=""', 'fstype!="tmpfs"', 'mountpoint!=""')  # noqa: E731
    net = lambda m: s(m, 'device!~"lo|veth.+"')  # noqa: E731
    ri = "[$__rate_interval]"
    # The levels the alerts use (node-alerts.yml: CPU and memory 80%, disk space 10% free), drawn as
    # dashed lines on the time series and as colours on the gauges.
    levels = ((0.8, "orange"), (0.9, "red"))
    cpu_busy = "1 - avg by (instance) (rate(%s%s))" % (idle, ri)
    memory_used = "1 - %s / %s" % (s("node_memory_MemAvailable_bytes"), s("node_memory_MemTotal_bytes"))
    fs_used = "1 - %s / %s" % (fs("node_filesystem_avail_bytes"), fs("node_filesystem_size_bytes"))

    overview = [
        stat("Uptime", "Time since the host booted (node_time_seconds - node_boot_time_seconds).", "s",
             [target("%s - %s" % (s("node_time_seconds"), s("node_boot_time_seconds")), "{{instance}}")],
             width=3, graph=False),
        stat("CPU cores", "Logical CPUs the kernel reports (one idle counter per CPU).", "short",
             [target("count by (instance) (%s)" % idle, "{{instance}}")], width=3, graph=False),
        stat("Memory", "Total usable RAM (MemTotal).", "bytes",
             [target(s("node_memory_MemTotal_bytes"), "{{instance}}")], width=3, graph=False),
        gauge("CPU busy", "Share of CPU time not idle, averaged over all CPUs. The HostHighCpuUsage alert fires "
              "above 80% for 10 minutes.", "percentunit",
              [target(cpu_busy, "{{instance}}")], steps=levels),
        gauge("Memory used", "1 - MemAvailable / MemTotal: memory not available to new work without swapping. "
              "The HostHighMemoryUsage alert fires above 80% for 10 minutes.", "percentunit",
              [target(memory_used, "{{instance}}")], steps=levels),
        gauge("Fullest filesystem", "Used share of the fullest filesystem (1 - avail / size, as seen by "
              "unprivileged users; tmpfs left out, as in the alerts). HostOutOfDiskSpace fires below 10% free. "
              "The Disk space row shows each one.", "percentunit",
              [target("max by (instance) (%s)" % fs_used, "{{instance}}")], steps=levels),
        stat("Clock synchronised", "Whether the kernel considers the clock synchronised (adjtimex, set by NTP "
             "or chrony). See the System row for the offset.", "none",
             [target(s("node_timex_sync_status"), "{{instance}}")], width=3, graph=False,
             base="red", steps=((1, "green"),), mappings=up_down_mappings("No", "Yes")),
    ]

    cpu = [
        timeseries("CPU busy", "Share of CPU time not idle, averaged over all CPUs of each host. Dashed lines: "
                   "80% (HostHighCpuUsage fires after 10 minutes above it) and 90%.", "percentunit",
                   [target(cpu_busy, "{{instance}}")], min=0, max=1, lines=levels),
        timeseries("CPU by mode", "Average share of CPU time per mode (user, system, iowait, steal, ...), idle "
                   "left out. iowait is idle time with I/O outstanding; steal is time the hypervisor gave to "
                   "others.", "percentunit",
                   [target("avg by (instance, mode) (rate(%s%s))" % (s("node_cpu_seconds_total", 'mode!="idle"'), ri),
                           "{{instance}} {{mode}}")], stack=True, min=0, max=1),
        timeseries("Load per core", "Load average (runnable plus uninterruptible tasks) divided by the number of "
                   "CPUs. Above 1, work is waiting; the node-mixin warns above 2.", "short",
                   [target("%s / on (job, instance) count by (job, instance) (%s)" % (s("node_load%s" % n), idle),
                           "{{instance}} %sm" % n) for n in ("1", "5", "15")]),
        timeseries("Processes and context switches", "Runnable and blocked (in uninterruptible I/O wait) "
                   "processes, and process creations per second.", "short",
                   [target(s("node_procs_running"), "{{instance}} running"),
                    target(s("node_procs_blocked"), "{{instance}} blocked"),
                    target("rate(%s%s)" % (s("node_forks_total"), ri), "{{instance}} forks/s")]),
    ]

    memory = [
        timeseries("Memory used", "1 - MemAvailable / MemTotal: the share of memory not available to new work "
                   "without swapping. Dashed lines: 80% (HostHighMemoryUsage fires after 10 minutes above it) and "
                   "90%.", "percentunit", [target(memory_used, "{{instance}}")], min=0, max=1, lines=levels),
        timeseries("Memory", "Used (MemTotal - MemAvailable), available and total memory.", "bytes",
                   [target("%s - %s" % (s("node_memory_MemTotal_bytes"), s("node_memory_MemAvailable_bytes")),
                           "{{instance}} used"),
                    target(s("node_memory_MemAvailable_bytes"), "{{instance}} available"),
                    target(s("node_memory_MemTotal_bytes"), "{{instance}} total")]),
        timeseries("Swap", "Swap in use (SwapTotal - SwapFree) and swap size. Both are 0 on hosts without swap.",
                   "bytes",
                   [target("%s - %s" % (s("node_memory_SwapTotal_bytes"), s("node_memory_SwapFree_bytes")),
                           "{{instance}} used"),
                    target(s("node_memory_SwapTotal_bytes"), "{{instance}} total")]),
        timeseries("Major page faults and OOM kills", "Major page faults per second (a page had to be read from "
                   "disk, often a sign of memory pressure) and processes killed by the out-of-memory killer.",
                   "ops",
                   [target("rate(%s%s)" % (s("node_vmstat_pgmajfault"), ri), "{{instance}} major faults"),
                    target("rate(%s%s)" % (s("node_vmstat_oom_kill"), ri), "{{instance}} OOM kills")]),
        timeseries("Swap activity", "Pages swapped in and out per second.", "ops",
                   [target("rate(%s%s)" % (s("node_vmstat_pswpin"), ri), "{{instance}} in"),
                    target("rate(%s%s)" % (s("node_vmstat_pswpout"), ri), "{{instance}} out")]),
    ]

    disk_space = [
        timeseries("Filesystem used", "Used share of each filesystem as unprivileged users see it "
                   "(1 - avail / size; the root reserve counts as used; tmpfs left out, as in the alerts). Dashed "
                   "lines: 80% and 90% (HostOutOfDiskSpace fires below 10% free).", "percentunit",
                   [target(fs_used, "{{instance}} {{mountpoint}}")], min=0, max=1, lines=levels),
        timeseries("Predicted free space in 4 hours", "Space left in 4 hours if the trend of the last 6 hours "
                   "continues (predict_linear). Below zero means the filesystem fills up: the "
                   "HostDiskWillFillIn4Hours alert fires when that is the case and less than 20% is free.",
                   "bytes",
                   [target("predict_linear(%s[6h], 4 * 3600)" % fs("node_filesystem_avail_bytes"),
                           "{{instance}} {{mountpoint}}")]),
        table("Filesystems", "Size, space available to unprivileged users, used share and inodes used, per "
              "mount point (tmpfs left out); read-only 1 means mounted read-only.", "bytes",
              [target(fs("node_filesystem_size_bytes"), instant=True, table=True),
               target(fs("node_filesystem_avail_bytes"), instant=True, table=True),
               target(fs_used, instant=True, table=True),
               target("1 - %s / %s" % (fs("node_filesystem_files_free"), fs("node_filesystem_files")),
                      instant=True, table=True),
               target(fs("node_filesystem_readonly"), instant=True, table=True)],
              {"A": ("Size", "bytes"), "B": ("Available", "bytes"), "C": ("Used", "percentunit"),
               "D": ("Inodes used", "percentunit"), "E": ("Read-only", "none")}),
    ]

    disk_io = [
        timeseries("Disk throughput", "Bytes read and written per second, per disk.", "Bps",
                   [target("rate(%s%s)" % (s("node_disk_read_bytes_total"), ri), "{{instance}} {{device}} read"),
                    target("rate(%s%s)" % (s("node_disk_written_bytes_total"), ri),
                           "{{instance}} {{device}} written")]),
        timeseries("Disk IOPS", "Read and write requests completed per second, per disk.", "iops",
                   [target("rate(%s%s)" % (s("node_disk_reads_completed_total"), ri), "{{instance}} {{device}} reads"),
                    target("rate(%s%s)" % (s("node_disk_writes_completed_total"), ri),
                           "{{instance}} {{device}} writes")]),
        timeseries("Disk latency", "Average time a read or write request took (queue plus service), per disk. "
                   "No value while a disk is idle.", "s",
                   [target("rate(%s%s) / rate(%s%s)" % (s("node_disk_read_time_seconds_total"), ri,
                                                         s("node_disk_reads_completed_total"), ri),
                           "{{instance}} {{device}} read"),
                    target("rate(%s%s) / rate(%s%s)" % (s("node_disk_write_time_seconds_total"), ri,
                                                         s("node_disk_writes_completed_total"), ri),
                           "{{instance}} {{device}} write")]),
        timeseries("Disk utilisation and saturation", "Utilisation: share of time the disk had I/O in flight "
                   "(100% need not mean saturated on SSDs and RAID). Saturation: average number of requests "
                   "queued or in flight (right axis); HostDiskIoSaturation fires above 10 for 30 minutes.",
                   "percentunit",
                   [target("rate(%s%s)" % (s("node_disk_io_time_seconds_total"), ri),
                           "{{instance}} {{device}} utilisation"),
                    target("rate(%s%s)" % (s("node_disk_io_time_weighted_seconds_total"), ri),
                           "{{instance}} {{device}} queue depth")],
                   overrides=[{"matcher": {"id": "byRegexp", "options": ".*queue depth"},
                               "properties": [{"id": "unit", "value": "short"},
                                              {"id": "custom.axisPlacement", "value": "right"}]}]),
    ]

    network = [
        timeseries("Network traffic", "Bits received and transmitted per second per interface (lo and veth* left "
                   "out).", "bps",
                   [target("rate(%s%s) * 8" % (net("node_network_receive_bytes_total"), ri),
                           "{{instance}} {{device}} received"),
                    target("rate(%s%s) * 8" % (net("node_network_transmit_bytes_total"), ri),
                           "{{instance}} {{device}} transmitted")]),
        timeseries("Network packets", "Packets received and transmitted per second per interface.", "pps",
                   [target("rate(%s%s)" % (net("node_network_receive_packets_total"), ri),
                           "{{instance}} {{device}} received"),
                    target("rate(%s%s)" % (net("node_network_transmit_packets_total"), ri),
                           "{{instance}} {{device}} transmitted")]),
        timeseries("Network errors and drops", "Packets per second that the interface reported as errors, or "
                   "dropped (full ring buffer, unknown protocol, ...). Should stay at zero.", "pps",
                   [target("rate(%s%s)" % (net("node_network_receive_errs_total"), ri),
                           "{{instance}} {{device}} receive errors"),
                    target("rate(%s%s)" % (net("node_network_transmit_errs_total"), ri),
                           "{{instance}} {{device}} transmit errors"),
                    target("rate(%s%s)" % (net("node_network_receive_drop_total"), ri),
                           "{{instance}} {{device}} receive drops"),
                    target("rate(%s%s)" % (net("node_network_transmit_drop_total"), ri),
                           "{{instance}} {{device}} transmit drops")], width=24),
    ]

    pressure = [
        timeseries("Pressure stall information", "Share of time some (or, for 'full', all non-idle) tasks were "
                   "stalled waiting for CPU, memory or I/O (Linux PSI, /proc/pressure). A rising value means the "
                   "resource is the bottleneck. irq needs Linux 6.1+ built with CONFIG_IRQ_TIME_ACCOUNTING.",
                   "percentunit",
                   [target("rate(%s%s)" % (s("node_pressure_cpu_waiting_seconds_total"), ri), "{{instance}} cpu some"),
                    target("rate(%s%s)" % (s("node_pressure_memory_waiting_seconds_total"), ri),
                           "{{instance}} memory some"),
                    target("rate(%s%s)" % (s("node_pressure_memory_stalled_seconds_total"), ri),
                           "{{instance}} memory full"),
                    target("rate(%s%s)" % (s("node_pressure_io_waiting_seconds_total"), ri), "{{instance}} io some"),
                    target("rate(%s%s)" % (s("node_pressure_io_stalled_seconds_total"), ri), "{{instance}} io full"),
                    target("rate(%s%s)" % (s("node_pressure_irq_stalled_seconds_total"), ri),
                           "{{instance}} irq full")], width=24, min=0, max=1),
    ]

    system = [
        timeseries("Clock offset and error", "Offset of the clock from the NTP reference and the kernel's "
                   "maximum error estimate (adjtimex). HostClockNotSynchronising fires when the clock is "
                   "unsynchronised with a maximum error of 16s or more.", "s",
                   [target(s("node_timex_offset_seconds"), "{{instance}} offset"),
                    target(s("node_timex_maxerror_seconds"), "{{instance}} max error"),
                    target(s("node_timex_estimated_error_seconds"), "{{instance}} estimated error")], width=8),
        timeseries("File descriptors", "File handles allocated system-wide (node_filefd_allocated), against "
                   "the kernel limit fs.file-max (node_filefd_maximum).", "percentunit",
                   [target("%s / %s" % (s("node_filefd_allocated"), s("node_filefd_maximum")),
                           "{{instance}} used of maximum"),
                    target(s("node_filefd_allocated"), "{{instance}} allocated")], width=8,
                   overrides=[{"matcher": {"id": "byRegexp", "options": ".*allocated"},
                               "properties": [{"id": "unit", "value": "short"},
                                              {"id": "custom.axisPlacement", "value": "right"}]}]),
        timeseries("Context switches and interrupts", "Context switches and interrupts per second.", "ops",
                   [target("rate(%s%s)" % (s("node_context_switches_total"), ri), "{{instance}} context switches"),
                    target("rate(%s%s)" % (s("node_intr_total"), ri), "{{instance}} interrupts")], width=8),
        table("Host information", "Kernel (uname) and operating system (os-release) of each host.", "none",
              [target(s("node_uname_info"), instant=True, table=True),
               target(s("node_os_info"), instant=True, table=True)],
              {"A": ("uname", None), "B": ("os", None)}, height=6,
              hide=("Time", "job", "__name__", "Value #A", "Value #B", "domainname", "version", "build_id",
                    "id_like", "image_id", "image_version", "variant", "variant_id")),
    ]

    return dashboard(
        "hostwatch-host", "hostwatch / Host",
        "One or more hosts at a glance: CPU, memory, disk space and I/O, network, pressure, clock and file "
        "descriptors. Metrics are node_exporter's, so node_exporter targets work too.",
        ["linux", "node-exporter"],
        [query_variable("job", "Job", "label_values(node_uname_info, job)"),
         query_variable("instance", "Instance", 'label_values(node_uname_info{job=~"$job"}, instance)')],
        [("Overview", overview, False), ("CPU", cpu, False), ("Memory", memory, False),
         ("Disk space", disk_space, False), ("Disk I/O", disk_io, True), ("Network", network, True),
         ("Pressure", pressure, True), ("System", system, True)])


# ---------------------------------------------------------------- hostwatch-checks

def checks_dashboard():
    s = Scope("job", "instance", "check")
    ri = "[$__rate_interval]"
    bucket = s("probe_all_duration_seconds_bucket")

    # Per agent, never aggregated away: the same check runs on several agents, and one agent that
    # fails (its network path, its DNS) must show even when the others pass. Success-like values
    # keep `instance`; availability and percentiles pool every agent's runs, where a failing agent
    # pulls the figure down rather than hiding.
    by = "by (instance, check)"
    on_agent = "{{check}} on {{instance}}"
    last_success = s("hostwatch_check_last_success_timestamp_seconds")
    checks_table = table(
        "Checks", "Last result of every check on every agent: target, status code, duration and certificate "
        "expiry.", "none",
        [target("min by (instance, check, target) (%s)" % s("probe_success"), instant=True, table=True),
         target("max by (instance, check, target) (%s)" % s("probe_http_status_code"), instant=True, table=True),
         target("max by (instance, check, target) (%s)" % s("probe_duration_seconds"), instant=True, table=True),
         target("min by (instance, check, target) (%s - time()) / 86400" % s("probe_ssl_earliest_cert_expiry"),
                instant=True, table=True)],
        {"A": ("Up", None), "B": ("Status", None), "C": ("Duration", "s"), "D": ("Certificate days left", "d")})
    # The Up column shows Up/Down rather than 1/0.
    checks_table["fieldConfig"]["overrides"].append(
        {"matcher": {"id": "byName", "options": "Value #A"},
         "properties": [{"id": "mappings", "value": up_down_mappings()}]})

    status = [
        state_timeline("Up / down", "Result of the last run of each check on each agent, as Prometheus sampled "
                       "it. Runs between two scrapes are not shown here; the availability panels count every run.",
                       [target("min %s (%s)" % (by, s("probe_success")), on_agent)], up_down_mappings()),
        stat("Checks failing", "Checks whose last run failed, counted once per agent that runs them.", "short",
             [target("count(min %s (%s) == 0) or vector(0)" % (by, s("probe_success")), "failing")],
             width=4, height=8, steps=((1, "red"),), graph=False),
        stat("Availability over the time range", "Successful runs / all runs in the dashboard's time range, per "
             "check, over every agent that runs it (probe_all_success_sum / probe_all_success_count): exact "
             "whatever the scrape interval.", "percentunit",
             [target("sum by (check) (increase(%s[$__range])) / sum by (check) (increase(%s[$__range]))"
                     % (s("probe_all_success_sum"), s("probe_all_success_count")), "{{check}}", instant=True)],
             width=8, height=8, decimals=2, graph=False),
        timeseries("Availability", "Share of successful runs per check over a sliding $__rate_interval window, "
                   "over every agent that runs it.", "percentunit",
                   [target("sum by (check) (rate(%s%s)) / sum by (check) (rate(%s%s))"
                           % (s("probe_all_success_sum"), ri, s("probe_all_success_count"), ri), "{{check}}")],
                   min=0, max=1),
        checks_table,
    ]

    latency = [
        timeseries("Latency percentiles", "50th, 95th and 99th percentile of the total duration of every run, "
                   "from the probe_all_duration_seconds histogram (CheckProbeSlow fires when p95 stays above "
                   "1s). Accuracy is bounded by the histogram buckets.", "s",
                   [target("histogram_quantile(%s, sum by (check, le) (rate(%s%s)))" % (q, bucket, ri),
                           "{{check}} p%s" % p) for q, p in (("0.5", "50"), ("0.95", "95"), ("0.99", "99"))]),
        timeseries("Phase breakdown (last run)", "Where the time of the last run went, per agent: DNS resolve, "
                   "TCP connect, TLS handshake, processing (request sent to first byte) and transfer (body), summed "
                   "over redirect hops (blackbox_exporter's probe_http_duration_seconds).", "s",
                   [target("max by (instance, check, phase) (%s)" % s("probe_http_duration_seconds"),
                           "{{check}} {{phase}} on {{instance}}")]),
        timeseries("Run duration (last run)", "Total duration of the last run of each check on each agent.", "s",
                   [target("max %s (%s)" % (by, s("probe_duration_seconds")), on_agent)]),
        timeseries("Runs", "Runs completed per second, per check (every run counts, passed or failed).", "ops",
                   [target("sum by (check) (rate(%s%s))" % (s("probe_all_success_count"), ri), "{{check}}")]),
    ]

    responses = [
        stat("Status code", "HTTP status code of the last response of each check on each agent (0: no response, "
             "see the failure reasons).", "none",
             [target("max %s (%s)" % (by, s("probe_http_status_code")), on_agent)], width=8,
             steps=((300, "yellow"), (400, "red")), graph=False,
             mappings=[{"type": "value", "options": {"0": {"text": "no response", "color": "red", "index": 0}}}]),
        stat("Certificate days left", "Days until the earliest expiry in the certificate chain the server sent "
             "(probe_ssl_earliest_cert_expiry), the soonest any agent saw. Alerts: warning under 20 days, "
             "critical under 3.", "d",
             [target("min by (check) (%s - time()) / 86400" % s("probe_ssl_earliest_cert_expiry"), "{{check}}")],
             width=8, decimals=1, graph=False, base="red", steps=((3, "orange"), (20, "green"))),
        # The timestamp is 0 until a run succeeds: shown as "never succeeded" (-1), not as 56 years.
        stat("Time since last success", "Seconds since each check last passed on each agent; \"never succeeded\" "
             "when no run has passed since the agent loaded the check.", "s",
             [target("time() - max %s (%s > 0) or max %s (%s == 0) - 1" % (by, last_success, by, last_success),
                     on_agent)], width=8, graph=False,
             mappings=[{"type": "value", "options": {"-1": {"text": "never succeeded", "color": "red", "index": 0}}}]),
        timeseries("Failures by reason", "Failed runs per second by reason (dns, connect, tls, timeout, "
                   "status code, body regex, ...).", "ops",
                   [target("sum by (instance, check, reason) (rate(%s%s))"
                           % (s("hostwatch_check_failures_total"), ri), "{{check}} {{reason}} on {{instance}}")]),
        timeseries("Consecutive failures", "Runs in a row that failed, per check and agent (0 after any success). "
                   "Dashed line: 3, where CheckProbeFailed fires.", "short",
                   [target("max %s (%s)" % (by, s("hostwatch_check_consecutive_failures")), on_agent)],
                   lines=((3, "red"),)),
    ]

    return dashboard(
        "hostwatch-checks", "hostwatch / HTTP checks",
        "hostwatch's scheduled HTTP checks: state, availability, latency percentiles, phases, status codes, "
        "failure reasons and certificate expiry.",
        ["synthetic-checks", "blackbox"],
        [query_variable("job", "Job", "label_values(probe_all_success_count, job)"),
         query_variable("instance", "Instance", 'label_values(probe_all_success_count{job=~"$job"}, instance)'),
         query_variable("check", "Check",
                        'label_values(probe_all_success_count{job=~"$job", instance=~"$instance"}, check)')],
        [("Status", status, False), ("Latency", latency, True), ("Responses", responses, True)])


# ---------------------------------------------------------------- hostwatch-agent

def agent_dashboard():
    s = Scope("job", "instance")
    ri = "[$__rate_interval]"
    agent = [
        stat("Version", "hostwatch version running on each instance (hostwatch_build_info).", "none",
             [target(s("hostwatch_build_info"), "{{instance}} {{version}}")], width=6, text_mode="name",
             graph=False),
        stat("Uptime", "Time since the agent process started.", "s",
             [target("time() - %s" % s("process_start_time_seconds"), "{{instance}}")], width=6, graph=False),
        stat("Configuration", "Whether the last configuration load or reload succeeded. On failure the agent "
             "keeps running the previous configuration (HostwatchConfigReloadFailed).", "none",
             [target(s("hostwatch_config_last_reload_successful"), "{{instance}}")], width=6, graph=False,
             base="red", steps=((1, "green"),), mappings=up_down_mappings("Reload failed", "OK")),
        stat("Configuration age", "Time since the configuration was last loaded successfully.", "s",
             [target("time() - %s" % s("hostwatch_config_last_reload_success_timestamp_seconds"), "{{instance}}")],
             width=6, graph=False),
        timeseries("Agent CPU", "CPU time the agent uses, as a share of one core.", "percentunit",
                   [target("rate(%s%s)" % (s("process_cpu_seconds_total"), ri), "{{instance}}")], width=8),
        timeseries("Agent memory", "Resident memory of the agent process.", "bytes",
                   [target(s("process_resident_memory_bytes"), "{{instance}} resident")], width=8),
        timeseries("Threads and open files", "Threads and open file descriptors of the agent process.", "short",
                   [target(s("process_threads"), "{{instance}} threads"),
                    target(s("process_open_fds"), "{{instance}} open fds")], width=8),
        timeseries("HTTP requests", "Requests the agent answered per second, by path and status code.", "reqps",
                   [target("sum by (instance, path, code) (rate(%s%s))" % (s("hostwatch_http_requests_total"), ri),
                           "{{instance}} {{path}} {{code}}")], width=24),
    ]
    collectors = [
        timeseries("Collector duration", "Time each collector took in the last scrape.", "s",
                   [target(s("node_scrape_collector_duration_seconds"), "{{instance}} {{collector}}")]),
        # success + 2 x no_data: 1 OK, 0 failed, 2 nothing to read on this host (success is 0 then too,
        # as node_exporter reports it, but it is no failure and HostwatchCollectorFailing ignores it).
        state_timeline("Collector success", "Whether each collector succeeded in the scrape. Failed: it failed "
                       "or overran its deadline, its metrics are missing (HostwatchCollectorFailing). No data: "
                       "nothing to read on this host (no md arrays, no nf_conntrack module, no PSI), not a failure.",
                       [target("%s + on (job, instance, collector) (2 * %s)"
                               % (s("node_scrape_collector_success"), s("hostwatch_collector_no_data")),
                               "{{instance}} {{collector}}")],
                       up_down_mappings("Failed", "OK") + [
                           {"type": "value", "options": {"2": {"text": "No data", "color": "blue", "index": 2}}}],
                       width=12, height=8),
        timeseries("Parse errors", "Malformed input lines the collectors skipped, per second. Non-zero means "
                   "the kernel wrote something the parser does not understand.", "ops",
                   [target("sum by (instance, collector) (rate(%s%s))"
                           % (s("hostwatch_collector_parse_errors_total"), ri), "{{instance}} {{collector}}")]),
        timeseries("Scrapes in flight", "Scrapes being answered at this moment (bounded by --web.max-requests).",
                   "short", [target(s("hostwatch_scrapes_in_flight"), "{{instance}}")]),
    ]
    scheduler = [
        timeseries("Checks in flight", "Check runs in progress, bounded by max_concurrency.", "short",
                   [target(s("hostwatch_checks_in_flight"), "{{instance}}")], width=8),
        timeseries("Skipped runs", "Runs skipped per second because the previous run of the same check was still "
                   "going. Non-zero means checks take longer than their interval or the agent is overloaded.",
                   "ops",
                   [target("sum by (instance, check) (rate(%s%s))" % (s("hostwatch_check_skipped_total"), ri),
                           "{{instance}} {{check}}")], width=8),
        timeseries("Schedule delay", "How late check runs start compared with their schedule (p50 and p99). "
                   "Growing delay means the agent cannot keep up.", "s",
                   [target("histogram_quantile(%s, sum by (instance, le) (rate(%s%s)))"
                           % (q, s("hostwatch_check_schedule_delay_seconds_bucket"), ri), "{{instance}} p%s" % p)
                    for q, p in (("0.5", "50"), ("0.99", "99"))], width=8),
    ]
    return dashboard(
        "hostwatch-agent", "hostwatch / Agent",
        "The hostwatch agent itself: version, resource use, configuration reloads, collectors and the check "
        "scheduler.",
        ["agent"],
        [query_variable("job", "Job", "label_values(hostwatch_build_info, job)"),
         query_variable("instance", "Instance", 'label_values(hostwatch_build_info{job=~"$job"}, instance)')],
        [("Agent", agent, False), ("Collectors", collectors, True), ("Check scheduler", scheduler, True)])


DASHBOARDS = {
    "hostwatch-host.json": host_dashboard,
    "hostwatch-checks.json": checks_dashboard,
    "hostwatch-agent.json": agent_dashboard,
}


def render(build):
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    out_dir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, build in DASHBOARDS.items():
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(render(build))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
