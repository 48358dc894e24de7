#include "collectors/host/softnet.h"

#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kCpuLabel = {"cpu"};
const MetricDesc kProcessed{"node_softnet_processed_total", "Number of processed packets", MetricType::Counter,
                            kCpuLabel};
const MetricDesc kDropped{"node_softnet_dropped_total", "Number of dropped packets", MetricType::Counter, kCpuLabel};
const MetricDesc kTimesSqueezed{"node_softnet_times_squeezed_total",
                                "Number of times processing packets ran out of quota", MetricType::Counter, kCpuLabel};
const MetricDesc kCpuCollision{"node_softnet_cpu_collision_total",
                               "Number of collision occur while obtaining device lock while transmitting",
                               MetricType::Counter, kCpuLabel};
const MetricDesc kReceivedRps{"node_softnet_received_rps_total", "Number of times cpu woken up received_rps",
                              MetricType::Counter, kCpuLabel};
const MetricDesc kFlowLimitCount{"node_softnet_flow_limit_count_total", "Number of times flow limit has been reached",
                                 MetricType::Counter, kCpuLabel};
const MetricDesc kBacklogLen{"node_softnet_backlog_len", "Softnet backlog status", MetricType::Gauge, kCpuLabel};

// The columns of one line as numbers, or nullopt when one is not hex or exceeds 32 bits
// (procfs parses them with strconv.ParseUint(s, 16, 32)).
std::optional<std::vector<std::uint32_t>> ParseColumns(const std::vector<std::string_view>& f) {
  std::vector<std::uint32_t> v;
  for (std::string_view s : f) {
    std::optional<std::uint64_t> x = ParseHexUint(s);
    if (!x || *x > std::numeric_limits<std::uint32_t>::max()) {
      return std::nullopt;
    }
    v.push_back(static_cast<std::uint32_t>(*x));
  }
  return v;
}

class SoftnetCollector : public Collector {
 public:
  explicit SoftnetCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("net/softnet_stat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<SoftnetCpu> cpus = ParseSoftnet(text.value(), &errors);
    sink.CountParseError(errors);
    for (const SoftnetCpu& c : cpus) {
      std::string cpu = std::to_string(c.cpu);
      sink.Add(kProcessed, c.processed, {cpu});
      sink.Add(kDropped, c.dropped, {cpu});
      sink.Add(kTimesSqueezed, c.time_squeezed, {cpu});
      sink.Add(kCpuCollision, c.cpu_collision, {cpu});
      sink.Add(kReceivedRps, c.received_rps, {cpu});
      sink.Add(kFlowLimitCount, c.flow_limit_count, {cpu});
      sink.Add(kBacklogLen, c.backlog_len, {cpu});
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

std::vector<SoftnetCpu> ParseSoftnet(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<SoftnetCpu> out;
  std::uint32_t position = 0;
  for (std::string_view line : SplitLines(text)) {
    const std::uint32_t index = position++;
    std::vector<std::string_view> f = SplitFields(line);
    std::optional<std::vector<std::uint32_t>> v = f.size() >= 9 ? ParseColumns(f) : std::nullopt;
    if (!v) {
      ++*parse_errors;
      continue;
    }
    const std::vector<std::uint32_t>& c = *v;
    SoftnetCpu s;
    // Columns: processed dropped time_squeeze 0 0 0 0 0 cpu_collision
    // received_rps flow_limit_count backlog_len cpu_id (the last four by kernel age).
    s.processed = c[0];
    s.dropped = c[1];
    s.time_squeezed = c[2];
    s.cpu_collision = c[8];
    s.received_rps = c.size() >= 10 ? c[9] : 0;
    s.flow_limit_count = c.size() >= 11 ? c[10] : 0;
    s.backlog_len = c.size() >= 13 ? c[11] : 0;
    s.cpu = c.size() >= 13 ? c[12] : index;
    out.push_back(s);
  }
  return out;
}

CollectorSpec SoftnetCollectorSpec() {
  return {"softnet",
          true,
          "Exposes per-CPU packet processing statistics from /proc/net/softnet_stat: "
          "node_softnet_{processed,dropped,times_squeezed,cpu_collision,received_rps,flow_limit_count}_total, "
          "node_softnet_backlog_len.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<SoftnetCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
