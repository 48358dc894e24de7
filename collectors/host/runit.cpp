#include "collectors/host/runit.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kLabels = {"service", "supervisor"};

MetricDesc Service(const char* name, const char* help) {
  return {std::string("node_service_") + name, help, MetricType::Gauge, kLabels};
}

const MetricDesc kState = Service("state", "State of runit service.");
const MetricDesc kDesiredState = Service("desired_state", "Desired state of runit service.");
const MetricDesc kNormalState = Service("normal_state", "Normal state of runit service.");
const MetricDesc kStateTimestamp =
    Service("state_last_change_timestamp_seconds", "Unix timestamp of the last runit service state change.");

// go-runit subtracts 2^62 + 10 from the TAI64 label: TAI64's offset plus the 10 s TAI-UTC
// difference of 1972 (it ignores the leap seconds since, and so do we).
constexpr std::uint64_t kTaiOffset = 4611686018427387914ULL;
// A status file is 20 bytes; reading more than a page of one means it is something else.
constexpr std::size_t kMaxStatusFileBytes = 4096;

constexpr StringOption kServiceDir{"runit", "servicedir", "/etc/service", "Path to runit service directory."};

class RunitCollector : public Collector {
 public:
  RunitCollector(const ProcFs& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  Status Collect(MetricSink& sink) override {
    Result<std::vector<std::string>> names = fs_.ListDir(dir_);
    if (!names.ok()) {
      return names.status();  // NoData when the directory does not exist (runit is not installed)
    }
    for (const std::string& name : names.value()) {
      // Entries without a readable status (a service whose runsv has not started, a plain file,
      // a supervise directory only root may read) are skipped, as upstream skips them.
      const std::string supervise = ProcFs::Join(ProcFs::Join(dir_, name), "supervise");
      Result<RegularFile> file = fs_.ReadRegularFile(ProcFs::Join(supervise, "status"), kMaxStatusFileBytes);
      if (!file.ok()) {
        continue;
      }
      std::uint64_t parse_errors = 0;
      std::optional<RunitStatus> status = ParseRunitStatus(file.value().data, &parse_errors);
      sink.CountParseError(parse_errors);
      if (!status) {
        continue;
      }
      sink.Add(kState, status->state, {name, "runit"});
      sink.Add(kDesiredState, status->want, {name, "runit"});
      sink.Add(kStateTimestamp, static_cast<double>(status->change_unix_seconds), {name, "runit"});
      sink.Add(kNormalState, NormallyUp(supervise) ? 1 : 0, {name, "runit"});
    }
    return Status::OK();
  }

 private:
  // go-runit: normally up unless supervise/down can be stat'ed.
  bool NormallyUp(const std::string& supervise) const {
    Result<DirHandle> dir = fs_.OpenDir(supervise);
    return !dir.ok() || !dir.value().StatFile("down").ok();
  }

  const ProcFs& fs_;
  const std::string dir_;
};

}  // namespace

std::optional<RunitStatus> ParseRunitStatus(std::string_view bytes, std::uint64_t* parse_errors) {
  if (bytes.empty()) {
    ++*parse_errors;
    return std::nullopt;
  }
  if (bytes.size() < kRunitStatusBytes) {
    ++*parse_errors;
  }
  unsigned char b[kRunitStatusBytes] = {};
  for (std::size_t i = 0; i < kRunitStatusBytes && i < bytes.size(); ++i) {
    b[i] = static_cast<unsigned char>(bytes[i]);
  }
  std::uint64_t tai = 0;
  for (int i = 0; i < 8; ++i) {
    tai = (tai << 8) | b[i];
  }
  RunitStatus s;
  s.change_unix_seconds = static_cast<std::int64_t>(tai - kTaiOffset);  // wraps as go-runit's int64 does
  s.pid = std::int64_t{b[12]} | std::int64_t{b[13]} << 8 | std::int64_t{b[14]} << 16 | std::int64_t{b[15]} << 24;
  s.want = b[17] == 'u' ? 1 : 0;
  s.state = b[19];
  return s;
}

CollectorSpec RunitCollectorSpec() {
  return {"runit",
          false,
          "Exports node_service_* (state, desired and normal state, last change) of the runit services in a "
          "service directory. Deprecated upstream.",
          {kServiceDir.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<RunitCollector>(ctx.fs, ctx.options.Get(kServiceDir)));
          }};
}

}  // namespace hostwatch
