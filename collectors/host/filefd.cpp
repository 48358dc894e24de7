#include "collectors/host/filefd.h"

#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kAllocated{"node_filefd_allocated", "File descriptor statistics: allocated.", MetricType::Gauge, {}};
const MetricDesc kMaximum{"node_filefd_maximum", "File descriptor statistics: maximum.", MetricType::Gauge, {}};

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("sys/fs/file-nr");
    if (!text.ok()) {
      return text.status();
    }
    Result<FileNr> nr = ParseFileNr(text.value());
    if (!nr.ok()) {
      sink.CountParseError();
      return nr.status();
    }
    sink.Add(kAllocated, nr.value().allocated);
    sink.Add(kMaximum, nr.value().maximum);
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

Result<FileNr> ParseFileNr(std::string_view text) {
  std::vector<std::string_view> f = SplitFields(TrimSpace(text));
  std::optional<std::uint64_t> allocated = f.size() == 3 ? ParseUint(f[0]) : std::nullopt;
  std::optional<std::uint64_t> maximum = f.size() == 3 ? ParseUint(f[2]) : std::nullopt;
  if (!allocated || !maximum || !ParseUint(f[1])) {
    return Status::Error("unexpected /proc/sys/fs/file-nr content: \"" + std::string(TrimSpace(text)) + "\"");
  }
  return FileNr{static_cast<double>(*allocated), static_cast<double>(*maximum)};
}

CollectorSpec FilefdCollectorSpec() {
  return {"filefd",
          true,
          "Exposes file descriptor statistics from /proc/sys/fs/file-nr: node_filefd_allocated, "
          "node_filefd_maximum.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<FilefdCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
