#include "collectors/host/sockstat.h"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kSocketsUsed{"node_sockstat_sockets_used", "Number of IPv4 sockets in use.", MetricType::Gauge, {}};

// Protocol names and keys become part of a metric name, so anything but
// [A-Za-z0-9_] (never printed by the kernel) marks the line as malformed
// instead of producing an exposition Prometheus would reject.
bool IsNamePart(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The key/value pairs after the protocol name, or nullopt when a key has no
// value or a value is not an integer (the kernel prints only integers).
std::optional<std::vector<std::pair<std::string_view, double>>> ParsePairs(const std::vector<std::string_view>& f) {
  if (f.size() < 3 || (f.size() - 1) % 2 != 0) {
    return std::nullopt;
  }
  std::vector<std::pair<std::string_view, double>> kvs;
  for (std::size_t i = 1; i + 1 < f.size(); i += 2) {
    std::optional<std::int64_t> v = ParseInt(f[i + 1]);
    if (!v) {
      return std::nullopt;
    }
    kvs.emplace_back(f[i], static_cast<double>(*v));
  }
  return kvs;
}

SockstatProtocol ToProtocol(std::string_view name, const std::vector<std::pair<std::string_view, double>>& kvs) {
  SockstatProtocol p;
  p.name = std::string(name);
  for (const auto& [key, v] : kvs) {
    if (key == "inuse") {
      p.inuse = v;
    } else if (key == "orphan") {
      p.orphan = v;
    } else if (key == "tw") {
      p.tw = v;
    } else if (key == "alloc") {
      p.alloc = v;
    } else if (key == "mem") {
      p.mem = v;
    } else if (key == "memory") {
      p.memory = v;
    }
  }
  return p;
}

class SockstatCollector : public Collector {
 public:
  SockstatCollector(const ProcFs& fs, double page_size) : fs_(fs), page_size_(page_size) {}

  Status Collect(MetricSink& sink) override {
    for (const char* file : {"net/sockstat", "net/sockstat6"}) {
      Result<std::string> text = files_.ReadProc(file);
      if (!text.ok()) {
        if (text.status().no_data()) {
          continue;  // no IPv6 (or no IPv4) on this host: node_exporter skips the file
        }
        return text.status();
      }
      std::uint64_t errors = 0;
      Sockstat s = ParseSockstat(text.value(), &errors);
      sink.CountParseError(errors);
      // Only IPv4's file has the line; node_exporter ignores it elsewhere.
      if (s.sockets_used && std::string_view(file) == "net/sockstat") {
        sink.Add(kSocketsUsed, *s.sockets_used);
      }
      for (const SockstatProtocol& p : s.protocols) {
        AddProtocol(sink, p);
      }
    }
    return Status::OK();
  }

 private:
  void AddProtocol(MetricSink& sink, const SockstatProtocol& p) {
    sink.Add(Desc(p.name, "inuse"), p.inuse);
    const std::pair<const char*, const std::optional<double>*> optional[] = {
        {"orphan", &p.orphan}, {"tw", &p.tw}, {"alloc", &p.alloc}, {"mem", &p.mem}, {"memory", &p.memory}};
    for (const auto& [state, v] : optional) {
      if (*v) {
        sink.Add(Desc(p.name, state), **v);
      }
    }
    // mem counts pages; node_exporter adds the same value in bytes.
    if (p.mem) {
      sink.Add(Desc(p.name, "mem_bytes"), *p.mem * page_size_);
    }
  }

  // Descriptors are built on first sight of a protocol/state pair and kept:
  // the kernel's set is small and fixed.
  const MetricDesc& Desc(const std::string& protocol, const std::string& state) {
    std::string name = "node_sockstat_" + protocol + "_" + state;
    auto it = descs_.find(name);
    if (it == descs_.end()) {
      MetricDesc d{name, "Number of " + protocol + " sockets in state " + state + ".", MetricType::Gauge, {}};
      it = descs_.emplace(name, std::move(d)).first;
    }
    return it->second;
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const double page_size_;
  // Node-based: addresses stay valid for the sink.
  std::unordered_map<std::string, MetricDesc> descs_;
};

}  // namespace

Sockstat ParseSockstat(std::string_view text, std::uint64_t* parse_errors) {
  Sockstat out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    auto kvs = ParsePairs(f);
    if (!kvs || f[0].size() < 2 || f[0].back() != ':' || !IsNamePart(f[0].substr(0, f[0].size() - 1))) {
      ++*parse_errors;
      continue;
    }
    std::string_view name = f[0].substr(0, f[0].size() - 1);
    if (name == "sockets") {
      for (const auto& [key, v] : *kvs) {
        if (key == "used") {
          out.sockets_used = v;
        }
      }
      continue;
    }
    out.protocols.push_back(ToProtocol(name, *kvs));
  }
  return out;
}

CollectorSpec SockstatCollectorSpec() {
  return {
      "sockstat",
      true,
      "Exposes socket counts and memory from /proc/net/sockstat and /proc/net/sockstat6: "
      "node_sockstat_sockets_used, node_sockstat_<PROTOCOL>_{inuse,orphan,tw,alloc,mem,mem_bytes,memory}.",
      {},
      [](const CollectorContext& ctx) -> Result<CollectorPtr> {
        return CollectorPtr(std::make_unique<SockstatCollector>(ctx.fs, static_cast<double>(sysconf(_SC_PAGESIZE))));
      }};
}

}  // namespace hostwatch
