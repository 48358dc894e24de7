#include "collectors/host/tapestats.h"

#include <re2/re2.h>

#include <memory>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kDeviceLabel = {"device"};

// One stats/ file: its metric and the field it fills. Nanosecond counters are
// scaled by 1e-9 (multiplied, as node_exporter does, so the doubles agree).
struct TapeStat {
  std::string file;
  MetricDesc desc;
  std::uint64_t TapeCounters::*field;
  double scale = 1;
};
const std::vector<TapeStat> kStats = {
    {"in_flight",
     {"node_tape_io_now", "The number of I/Os currently outstanding to this device.", MetricType::Gauge, kDeviceLabel},
     &TapeCounters::in_flight},
    {"io_ns",
     {"node_tape_io_time_seconds_total",
      "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape "
      "movement commands such as seeking between file or set marks and implicit tape movement such as when rewind "
      "on close tape devices are used.",
      MetricType::Counter, kDeviceLabel},
     &TapeCounters::io_ns,
     1e-9},
    {"other_cnt",
     {"node_tape_io_others_total",
      "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete "
      "these commands uses the following calculation "
      "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
      MetricType::Counter, kDeviceLabel},
     &TapeCounters::other_cnt},
    {"read_byte_cnt",
     {"node_tape_read_bytes_total", "The number of bytes read from the tape drive.", MetricType::Counter, kDeviceLabel},
     &TapeCounters::read_byte_cnt},
    {"read_cnt",
     {"node_tape_reads_completed_total", "The number of read requests issued to the tape drive.", MetricType::Counter,
      kDeviceLabel},
     &TapeCounters::read_cnt},
    {"read_ns",
     {"node_tape_read_time_seconds_total", "The amount of time spent waiting for read requests to complete.",
      MetricType::Counter, kDeviceLabel},
     &TapeCounters::read_ns,
     1e-9},
    {"resid_cnt",
     {"node_tape_residual_total",
      "The number of times during a read or write we found the residual amount to be non-zero. This should mean "
      "that a program is issuing a read larger thean the block size on tape. For write not all data made it to "
      "tape.",
      MetricType::Counter, kDeviceLabel},
     &TapeCounters::resid_cnt},
    {"write_byte_cnt",
     {"node_tape_written_bytes_total", "The number of bytes written to the tape drive.", MetricType::Counter,
      kDeviceLabel},
     &TapeCounters::write_byte_cnt},
    {"write_cnt",
     {"node_tape_writes_completed_total", "The number of write requests issued to the tape drive.", MetricType::Counter,
      kDeviceLabel},
     &TapeCounters::write_cnt},
    {"write_ns",
     {"node_tape_write_time_seconds_total", "The amount of time spent waiting for write requests to complete.",
      MetricType::Counter, kDeviceLabel},
     &TapeCounters::write_ns,
     1e-9},
};

class TapestatsCollector : public Collector {
 public:
  TapestatsCollector(const ProcFs& fs, std::unique_ptr<RE2> ignored) : fs_(fs), ignored_(std::move(ignored)) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/scsi_tape"));
    if (!class_dir.ok()) {
      return class_dir.status();
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // As node_exporter: every drive is read before anything is exported, and
    // a drive whose stats cannot be read fails the scrape.
    std::vector<std::pair<std::string, TapeCounters>> tapes;
    for (const std::string& name : names.value()) {
      if (!IsTapeDeviceName(name)) {
        continue;
      }
      Result<std::map<std::string, std::string>> files = ReadStats(class_dir.value(), name);
      if (!files.ok()) {
        return files.status();
      }
      std::uint64_t errors = 0;
      std::optional<TapeCounters> c = ParseTapeStats(files.value(), &errors);
      sink.CountParseError(errors);
      if (c) {
        tapes.emplace_back(name, *c);
      }
    }
    for (const auto& [name, c] : tapes) {
      if (RE2::PartialMatch(name, *ignored_)) {
        continue;
      }
      for (const TapeStat& s : kStats) {
        sink.Add(s.desc, static_cast<double>(c.*s.field) * s.scale, {name});
      }
    }
    return Status::OK();
  }

 private:
  static Result<std::map<std::string, std::string>> ReadStats(const DirHandle& class_dir, const std::string& name) {
    Result<DirHandle> tape = class_dir.OpenDir(name);
    if (!tape.ok()) {
      return tape.status();
    }
    Result<DirHandle> stats = tape.value().OpenDir("stats");
    if (!stats.ok()) {
      return stats.status();
    }
    Result<std::vector<std::string>> files = stats.value().List();
    if (!files.ok()) {
      return files.status();
    }
    std::map<std::string, std::string> out;
    for (const std::string& file : files.value()) {
      Result<std::string> v = stats.value().ReadAttribute(file);
      if (!v.ok()) {
        return v.status();
      }
      out.emplace(file, std::move(v).value());
    }
    return out;
  }

  const ProcFs& fs_;
  std::unique_ptr<RE2> ignored_;
};

constexpr RegexOption kIgnoredDevices{"tapestats", "ignored-devices", "^$",
                                      "Regexp of devices to ignore for tapestats."};

}  // namespace

bool IsTapeDeviceName(std::string_view name) {
  if (name.size() < 3 || name.substr(0, 2) != "st") {
    return false;
  }
  for (char c : name.substr(2)) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

std::optional<TapeCounters> ParseTapeStats(const std::map<std::string, std::string>& files,
                                           std::uint64_t* parse_errors) {
  TapeCounters c;
  for (const TapeStat& s : kStats) {
    auto it = files.find(s.file);
    if (it == files.end()) {
      continue;
    }
    std::optional<std::uint64_t> v = ParseUint(TrimSpace(it->second));
    if (!v) {
      ++*parse_errors;
      return std::nullopt;
    }
    c.*s.field = *v;
  }
  return c;
}

CollectorSpec TapestatsCollectorSpec() {
  return {"tapestats",
          true,
          "Exposes SCSI tape drive statistics (/sys/class/scsi_tape/st*/stats): node_tape_io_now, "
          "node_tape_{io_time,read_time,write_time}_seconds_total, node_tape_{io_others,read_bytes,reads_completed,"
          "residual,written_bytes,writes_completed}_total.",
          {kIgnoredDevices.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            auto re = std::make_unique<RE2>(ctx.options.Get(kIgnoredDevices), RE2::Quiet);
            return CollectorPtr(std::make_unique<TapestatsCollector>(ctx.fs, std::move(re)));
          }};
}

}  // namespace hostwatch
