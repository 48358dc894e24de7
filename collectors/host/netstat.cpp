#include "collectors/host/netstat.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

constexpr const char* kDefaultFields =
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|"
    "Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    "Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

// Protocol and field names become part of a metric name, so anything but
// [A-Za-z0-9_] (never printed by the kernel) marks the input as malformed
// instead of producing an exposition Prometheus would reject.
bool IsNamePart(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "Tcp:" -> "Tcp"; empty when the field is not a "<name>:" prefix.
std::string_view Prefix(std::string_view field) {
  if (field.size() < 2 || field.back() != ':' || !IsNamePart(field.substr(0, field.size() - 1))) {
    return {};
  }
  return field.substr(0, field.size() - 1);
}

class NetstatCollector : public Collector {
 public:
  NetstatCollector(const ProcFs& fs, std::unique_ptr<RE2> fields) : fs_(fs), fields_(std::move(fields)) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    // Keyed by metric name: node_exporter merges the three files into one map,
    // so a key repeated in a later file replaces the earlier value.
    std::map<std::string, double> values;
    for (const char* file : {"net/netstat", "net/snmp", "net/snmp6"}) {
      Result<std::string> text = files_.ReadProc(file);
      if (!text.ok()) {
        // Only snmp6 may be missing (IPv6 disabled); node_exporter fails
        // without the other two.
        if (text.status().no_data() && std::string_view(file) == "net/snmp6") {
          continue;
        }
        return Status::Error(text.status().message());
      }
      std::vector<NetstatField> fields = std::string_view(file) == "net/snmp6"
                                             ? ParseSnmp6(text.value(), &errors)
                                             : ParseNetstatPairs(text.value(), &errors);
      for (NetstatField& f : fields) {
        if (const MetricDesc* desc = DescFor(f.protocol, f.name)) {
          values[desc->name] = f.value;
        }
      }
    }
    sink.CountParseError(errors);
    for (const auto& [name, value] : values) {
      sink.Add(descs_by_name_.at(name), value);
    }
    return Status::OK();
  }

 private:
  // The descriptor of a selected key, or nullptr when the fields regexp
  // rejects it. Each key is matched once: the kernel's set is fixed.
  const MetricDesc* DescFor(const std::string& protocol, const std::string& name) {
    std::string key = protocol + "_" + name;
    auto it = selected_.find(key);
    if (it == selected_.end()) {
      const MetricDesc* desc = nullptr;
      if (RE2::PartialMatch(key, *fields_)) {
        std::string metric = "node_netstat_" + key;
        desc = &descs_by_name_
                    .emplace(metric, MetricDesc{metric, "Statistic " + protocol + name + ".", MetricType::Untyped, {}})
                    .first->second;
      }
      it = selected_.emplace(std::move(key), desc).first;
    }
    return it->second;
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  std::unique_ptr<RE2> fields_;
  std::unordered_map<std::string, const MetricDesc*> selected_;  // key -> descriptor or nullptr
  // Node-based: addresses stay valid for selected_ and the sink.
  std::unordered_map<std::string, MetricDesc> descs_by_name_;
};

}  // namespace

std::vector<NetstatField> ParseNetstatPairs(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<NetstatField> out;
  std::vector<std::string_view> lines = SplitLines(text);
  std::size_t i = 0;
  while (i < lines.size()) {
    std::vector<std::string_view> names = SplitFields(lines[i]);
    if (names.empty()) {
      ++i;
      continue;
    }
    std::string_view proto = Prefix(names[0]);
    std::vector<std::string_view> values =
        i + 1 < lines.size() ? SplitFields(lines[i + 1]) : std::vector<std::string_view>{};
    if (proto.empty() || values.empty() || Prefix(values[0]) != proto) {
      ++*parse_errors;
      ++i;  // resynchronise on the next line
      continue;
    }
    i += 2;
    if (names.size() != values.size()) {
      ++*parse_errors;
      continue;
    }
    for (std::size_t k = 1; k < names.size(); ++k) {
      std::optional<double> v = ParseDouble(values[k]);
      if (!v || !IsNamePart(names[k])) {
        ++*parse_errors;
        continue;
      }
      out.push_back({std::string(proto), std::string(names[k]), *v});
    }
  }
  return out;
}

std::vector<NetstatField> ParseSnmp6(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<NetstatField> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    std::size_t six = f[0].find('6');
    std::optional<double> v = f.size() == 2 ? ParseDouble(f[1]) : std::nullopt;
    if (!v || six == std::string_view::npos || six + 1 == f[0].size() || !IsNamePart(f[0])) {
      ++*parse_errors;
      continue;
    }
    out.push_back({std::string(f[0].substr(0, six + 1)), std::string(f[0].substr(six + 1)), *v});
  }
  return out;
}

constexpr RegexOption kFields{"netstat", "fields", kDefaultFields, "Regexp of fields to return for netstat collector."};

CollectorSpec NetstatCollectorSpec() {
  return {"netstat",
          true,
          "Exposes selected network protocol counters from /proc/net/netstat, /proc/net/snmp and "
          "/proc/net/snmp6 as node_netstat_<Protocol>_<Field> (untyped).",
          {kFields.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            auto re = std::make_unique<RE2>(ctx.options.Get(kFields), RE2::Quiet);
            if (!re->ok()) {
              return Status::Error("--collector.netstat.fields: " + re->error());
            }
            return CollectorPtr(std::make_unique<NetstatCollector>(ctx.fs, std::move(re)));
          }};
}

}  // namespace hostwatch
