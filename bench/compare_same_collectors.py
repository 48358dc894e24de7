"""compare.py's "same collectors" phase: hostwatch and node_exporter with exactly the same collectors.

The default scrapes of the two agents differ in what they collect (hostwatch has collectors node_exporter
1.5 lacks and the other way round), so the default-scrape CPU ratio compares different work. Here both
start with --collector.disable-defaults plus the collectors both enable by default, and the ratio of CPU
per scrape is the cost of the same work. Budget: 0.2x (issue 17).
"""
import time


def same_collectors_phase(args, table, hostwatch_bin, compare):
    """compare: the compare module (start_* helpers, Subject, interleave, budget_row, ...)."""
    if not compare.os.path.exists(compare.NODE_EXPORTER):
        table.add("CPU per 1,000 scrapes, same collectors both sides", "n/a", "node_exporter missing", "-",
                  "<= 0.20x", None)
        return
    shared = default_collectors_of_both(hostwatch_bin, compare)
    flags = ["--collector.disable-defaults"] + ["--collector." + c for c in shared]
    compare.log("same collectors both sides (%d): %s" % (len(shared), ",".join(shared)))
    hw = compare.start_hostwatch(hostwatch_bin, *flags)
    ne = compare.start_node_exporter(*flags)
    try:
        a, b = compare.Subject("hostwatch", hw), compare.Subject("node_exporter", ne)
        for subject in (a, b):  # the collectors really are the same on both sides
            _, text, _ = compare.HttpClient(subject.process.port).get("/metrics", compare.SCRAPE_HEADERS)
            got = compare.enabled_collectors(text)
            if got != shared:
                raise RuntimeError("%s runs %s, expected %s" % (subject.name, got, shared))
        compare.interleave([a, b], args.scrapes, args.batch, time.monotonic() + args.phase_seconds)
        compare.budget_row(table, "CPU per 1,000 scrapes (s), same %d collectors both sides" % len(shared),
                           a.cpu_ms_per_scrape(), b.cpu_ms_per_scrape(), "", 0.20, "<= 0.20x")
        table.add("  (info) samples per scrape, same collectors", str(a.samples), str(b.samples),
                  compare.fmt(compare.ratio(a.samples, b.samples)), "-", None)
    finally:
        hw.stop()
        ne.stop()


def default_collectors_of_both(hostwatch_bin, compare):
    """Collectors each agent enables by default (read from a scrape of each) that the other has too."""
    hw = compare.start_hostwatch(hostwatch_bin)
    ne = compare.start_node_exporter()
    try:
        scraped = []
        for process in (hw, ne):
            _, text, _ = compare.HttpClient(process.port).get("/metrics", compare.SCRAPE_HEADERS)
            scraped.append(set(compare.enabled_collectors(text)))
    finally:
        hw.stop()
        ne.stop()
    return sorted(scraped[0] & scraped[1])
