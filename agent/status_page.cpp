#include "agent/status_page.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace hostwatch {
namespace {

// s with & < > " ' replaced by their character references.
std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Bytes(double v) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  return Fixed(v, u == 0 ? 0 : 1) + " " + kUnits[u];
}

std::string Percent(double ratio) { return Fixed(ratio * 100, 1) + "%"; }

std::string Duration(double seconds) {
  long long s = static_cast<long long>(seconds);
  std::string out;
  if (s >= 86400) {
    out += std::to_string(s / 86400) + "d ";
  }
  if (s >= 3600) {
    out += std::to_string((s % 86400) / 3600) + "h ";
  }
  out += std::to_string((s % 3600) / 60) + "m " + std::to_string(s % 60) + "s";
  return out;
}

std::string Timestamp(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string Opt(const std::optional<double>& v, std::string (*fmt)(double)) { return v ? fmt(*v) : "n/a"; }

std::string Millis(double seconds) { return Fixed(seconds * 1000, 1) + " ms"; }
std::string Days(double d) { return Fixed(d, 1) + " d"; }
std::string Load(double v) { return Fixed(v, 2); }

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:12px;color:#1d2330;background:#f6f7f9}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 12px;margin:8px 0;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;white-space:nowrap}
th{color:#5b6475;font-weight:600}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.muted{color:#6e7781}
.kv td:first-child{color:#5b6475;width:12em}a{color:#0969da}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.tile{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px}.tile .v{font-size:1.4em;font-weight:600}.tile .l{color:#5b6475;font-size:.85em}
)";

void Tile(std::string* out, const std::string& id, const std::string& label, const std::string& value) {
  *out += "<div class=\"tile\" id=\"" + id + "\"><div class=\"v\">" + HtmlEscape(value) + "</div><div class=\"l\">" +
          HtmlEscape(label) + "</div></div>\n";
}

void RenderHost(const std::optional<HostSummary>& summary, std::string* out) {
  *out += "<h2>Host</h2>\n";
  if (!summary) {
    *out +=
        "<p class=\"muted\" id=\"no-scrape\">Not scraped yet: these numbers come from the last scrape of the "
        "metrics endpoint, and there has been none since the agent started.</p>\n";
  } else {
    *out += "<p class=\"muted\" id=\"scraped-at\">As of the last scrape of the metrics endpoint, " +
            Timestamp(summary->scraped_at) + ".</p>\n";
  }
  const HostSummary h = summary.value_or(HostSummary{});
  const HostReading& r = h.reading;
  *out += "<div class=\"grid\">\n";
  Tile(out, "cpu-busy", "CPU busy", Opt(h.cpu_busy_ratio, Percent));
  std::string load = r.load1 ? Load(*r.load1) + " / " + Opt(r.load5, Load) + " / " + Opt(r.load15, Load) : "n/a";
  Tile(out, "load", "Load 1m / 5m / 15m", load);
  std::string mem = "n/a";
  if (r.memory_total_bytes && r.memory_available_bytes && *r.memory_total_bytes > 0) {
    double used = *r.memory_total_bytes - *r.memory_available_bytes;
    mem = Percent(used / *r.memory_total_bytes) + " of " + Bytes(*r.memory_total_bytes);
  }
  Tile(out, "memory-used", "Memory used", mem);
  std::string root = "n/a";
  if (r.root_size_bytes && r.root_avail_bytes && *r.root_size_bytes > 0) {
    root = Percent(1 - *r.root_avail_bytes / *r.root_size_bytes) + " of " + Bytes(*r.root_size_bytes);
  }
  Tile(out, "root-used", "Root filesystem used", root);
  *out += "</div>\n";
}

void RenderCollectors(const std::vector<CollectorRunInfo>& collectors, std::string* out) {
  *out += "<h2>Collectors</h2>\n<div class=\"card\"><table id=\"collectors\">\n"
          "<tr><th>Collector</th><th>Last success</th><th>Last duration</th><th>Parse errors</th><th>Last error</th>"
          "</tr>\n";
  for (const CollectorRunInfo& c : collectors) {
    std::string state = !c.ever_run ? "<span class=\"muted\">not run yet</span>"
                                    : (c.last_success ? "<span class=\"ok\">yes</span>"
                                                      : "<span class=\"bad\">no</span>");
    *out += "<tr><td>" + HtmlEscape(c.name) + "</td><td>" + state + "</td><td>" +
            (c.ever_run ? Millis(c.last_duration_seconds) : "") + "</td><td>" +
            std::to_string(c.parse_errors_total) + "</td><td>" + HtmlEscape(c.last_error) + "</td></tr>\n";
  }
  *out += "</table></div>\n";
}

void RenderChecks(const std::vector<CheckSummary>& checks, std::string* out) {
  *out += "<h2>Checks</h2>\n<div class=\"card\">";
  if (checks.empty()) {
    *out += "<p class=\"muted\" id=\"no-checks\">No checks configured (see <code>http_checks:</code>, or "
            "<code>modules:</code> and <code>checks:</code>, in the configuration file).</p></div>\n";
    return;
  }
  *out += "<table id=\"checks\">\n<tr><th>Check</th><th>Target</th><th>State</th><th>Last latency</th>"
          "<th>Availability</th><th>p95</th><th>Certificate</th><th>Last failure</th><th>Runs</th></tr>\n";
  for (const CheckSummary& c : checks) {
    std::string state = !c.has_run ? "<span class=\"muted\">pending</span>"
                                   : (c.up ? "<span class=\"ok\">up</span>" : "<span class=\"bad\">down</span>");
    std::string encoded;  // the check name as a URL query value
    for (unsigned char ch : c.name) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
        encoded.push_back(static_cast<char>(ch));
      } else {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%%%02X", ch);
        encoded += buf;
      }
    }
    *out += "<tr><td>" + HtmlEscape(c.name) + "</td><td>" + HtmlEscape(c.target) + "</td><td>" + state + "</td><td>" +
            (c.has_run ? Millis(c.last_duration_seconds) : "") + "</td><td>" + Opt(c.availability_ratio, Percent) +
            "</td><td>" + Opt(c.p95_seconds, Millis) + "</td><td>" + Opt(c.cert_days_left, Days) + "</td><td>" +
            HtmlEscape(c.last_failure_reason) + "</td><td><a href=\"/probe?module=" + encoded +
            "&amp;debug=true\">last run log</a></td></tr>\n";
  }
  *out += "</table></div>\n";
}

// Shown only when x509_files: is configured; what the last scrape found.
void RenderX509Files(const std::vector<X509FileSummary>& files, std::string* out) {
  if (files.empty()) {
    return;
  }
  *out += "<h2>Certificate files</h2>\n<div class=\"card\"><table id=\"x509-files\">\n"
          "<tr><th>File</th><th>Certificates</th><th>Earliest expiry</th><th>Problem</th></tr>\n";
  for (const X509FileSummary& f : files) {
    std::string problem =
        f.reason.empty() ? "" : "<span class=\"bad\">" + HtmlEscape(f.reason) + "</span> " + HtmlEscape(f.detail);
    *out += "<tr><td>" + HtmlEscape(f.file) + "</td><td>" + std::to_string(f.certificates) + "</td><td>" +
            (f.earliest_not_after != 0 ? Timestamp(static_cast<double>(f.earliest_not_after)) : "") + "</td><td>" +
            problem + "</td></tr>\n";
  }
  *out += "</table></div>\n";
}

// Shown only when remote_write: is configured: each endpoint's state, lag and last error.
void RenderRemoteWrite(const std::vector<remote_write::EndpointStatus>& endpoints, std::string* out) {
  if (endpoints.empty()) {
    return;
  }
  *out += "<h2>Remote write</h2>\n<div class=\"card\"><table id=\"remote-write\">\n"
          "<tr><th>Endpoint</th><th>URL</th><th>State</th><th>Lag</th><th>Last error</th></tr>\n";
  for (const remote_write::EndpointStatus& e : endpoints) {
    const bool ok = e.state == "idle" || e.state == "sending";
    *out += "<tr><td>" + HtmlEscape(e.name) + "</td><td>" + HtmlEscape(e.url) + "</td><td><span class=\"" +
            (ok ? "ok" : "bad") + "\">" + HtmlEscape(e.state) + "</span></td><td>" + HtmlEscape(Duration(e.lag_seconds)) +
            "</td><td>" + HtmlEscape(e.last_error) + "</td></tr>\n";
  }
  *out += "</table></div>\n";
}

}  // namespace

std::string RenderStatusPage(const StatusPageData& d) {
  std::string out;
  out.reserve(8192);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>hostwatch</title><style>";
  out += kStyle;
  out += "</style></head><body>\n<h1>hostwatch</h1>\n<div class=\"card\"><table class=\"kv\" id=\"agent\">\n";
  auto row = [&](const std::string& k, const std::string& v_html) {
    out += "<tr><td>" + HtmlEscape(k) + "</td><td>" + v_html + "</td></tr>\n";
  };
  row("Version", HtmlEscape(d.version) + " <span class=\"muted\">(" + HtmlEscape(d.revision) + ")</span>");
  row("Uptime", HtmlEscape(Duration(d.uptime_seconds)));
  std::string addrs;
  for (const std::string& a : d.listen_addresses) {
    addrs += (addrs.empty() ? "" : ", ") + HtmlEscape(a);
  }
  row("Listening on", addrs);
  row("Config file", d.config_file.empty() ? "<span class=\"muted\">none (built-in defaults)</span>"
                                           : "<code>" + HtmlEscape(d.config_file) + "</code>");
  row("Last reload", (d.last_reload_ok ? std::string("<span class=\"ok\">successful</span>")
                                       : std::string("<span class=\"bad\">failed</span> (running the previous "
                                                     "configuration; see the log)")) +
                         (d.last_reload_success_time > 0
                              ? " <span class=\"muted\">last good: " + Timestamp(d.last_reload_success_time) +
                                    "</span>"
                              : ""));
  row("Links", "<a href=\"" + HtmlEscape(d.telemetry_path) +
                   "\">Metrics</a> · <a href=\"/-/healthy\">Health</a> · <a href=\"/-/ready\">Readiness</a>");
  out += "</table></div>\n";
  RenderHost(d.host, &out);
  RenderCollectors(d.collectors, &out);
  RenderChecks(d.checks, &out);
  RenderX509Files(d.x509_files, &out);
  RenderRemoteWrite(d.remote_write, &out);
  if (!d.dashboards.empty()) {
    out += "<h2>Bundled dashboards</h2>\n<div class=\"card\"><ul id=\"dashboards\">\n";
    for (const std::string& name : d.dashboards) {
      out += "<li>" + HtmlEscape(name) + "</li>\n";
    }
    out += "</ul><p class=\"muted\">Import them from <code>/usr/share/hostwatch/dashboards/</code> or the "
           "repository's <code>dashboards/</code> folder.</p></div>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace hostwatch
