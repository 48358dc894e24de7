#include "collectors/host/conntrack.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kEntries{"node_nf_conntrack_entries",
                          "Number of currently allocated flow entries for connection tracking.",
                          MetricType::Gauge,
                          {}};
const MetricDesc kEntriesLimit{
    "node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", MetricType::Gauge, {}};
const MetricDesc kStatDrop{
    "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure.", MetricType::Gauge, {}};
const MetricDesc kStatEarlyDrop{
    "node_nf_conntrack_stat_early_drop",
    "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.",
    MetricType::Gauge,
    {}};
const MetricDesc kStatFound{
    "node_nf_conntrack_stat_found", "Number of searched entries which were successful.", MetricType::Gauge, {}};
const MetricDesc kStatIgnore{"node_nf_conntrack_stat_ignore",
                             "Number of packets seen which are already connected to a conntrack entry.",
                             MetricType::Gauge,
                             {}};
const MetricDesc kStatInsert{
    "node_nf_conntrack_stat_insert", "Number of entries inserted into the list.", MetricType::Gauge, {}};
const MetricDesc kStatInsertFailed{"node_nf_conntrack_stat_insert_failed",
                                   "Number of entries for which list insertion was attempted but failed.",
                                   MetricType::Gauge,
                                   {}};
const MetricDesc kStatInvalid{
    "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked.", MetricType::Gauge, {}};
const MetricDesc kStatSearchRestart{
    "node_nf_conntrack_stat_search_restart",
    "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
    MetricType::Gauge,
    {}};

// Column positions in a row of /proc/net/stat/nf_conntrack (the kernel's
// ct_cpu_seq_show prints 17 columns in this order since Linux 2.6).
constexpr std::size_t kColumns = 17;
constexpr std::size_t kFound = 2, kInvalid = 4, kIgnore = 5, kInsert = 8, kInsertFailed = 9, kDrop = 10,
                      kEarlyDrop = 11, kSearchRestart = 16;


// One CPU row as numbers, or nullopt unless it is exactly kColumns hex fields.
std::optional<std::array<double, kColumns>> ParseRow(const std::vector<std::string_view>& f) {
  if (f.size() != kColumns) {
    return std::nullopt;
  }
  std::array<double, kColumns> row{};
  for (std::size_t i = 0; i < kColumns; ++i) {
    std::optional<std::uint64_t> v = ParseHexUint(f[i]);
    if (!v) {
      return std::nullopt;
    }
    row[i] = static_cast<double>(*v);
  }
  return row;
}

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    // Counted() below counts every failure but a missing file, bad content included.
    Result<double> entries = files_.ReadProcUint("sys/net/netfilter/nf_conntrack_count", nullptr);
    if (!entries.ok()) {
      return Counted(sink, entries.status());
    }
    sink.Add(kEntries, entries.value());
    Result<double> limit = files_.ReadProcUint("sys/net/netfilter/nf_conntrack_max", nullptr);
    if (!limit.ok()) {
      return Counted(sink, limit.status());
    }
    sink.Add(kEntriesLimit, limit.value());
    // node_exporter reads this file after the two above and reports what it
    // already has when it is missing, so we do the same.
    Result<std::string> text = files_.ReadProc("net/stat/nf_conntrack");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    ConntrackStat st = ParseConntrackStat(text.value(), &errors);
    sink.CountParseError(errors);
    sink.Add(kStatFound, st.found);
    sink.Add(kStatInvalid, st.invalid);
    sink.Add(kStatIgnore, st.ignore);
    sink.Add(kStatInsert, st.insert);
    sink.Add(kStatInsertFailed, st.insert_failed);
    sink.Add(kStatDrop, st.drop);
    sink.Add(kStatEarlyDrop, st.early_drop);
    sink.Add(kStatSearchRestart, st.search_restart);
    return Status::OK();
  }

 private:
  // A file with unexpected content is a parse error too; a missing one is not.
  static Status Counted(MetricSink& sink, Status s) {
    if (!s.no_data()) {
      sink.CountParseError();
    }
    return s;
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

ConntrackStat ParseConntrackStat(std::string_view text, std::uint64_t* parse_errors) {
  ConntrackStat st;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty() || f[0] == "entries") {  // blank, or the header line
      continue;
    }
    std::optional<std::array<double, kColumns>> row = ParseRow(f);
    if (!row) {
      ++*parse_errors;
      continue;
    }
    const std::array<double, kColumns>& r = *row;
    st.found += r[kFound];
    st.invalid += r[kInvalid];
    st.ignore += r[kIgnore];
    st.insert += r[kInsert];
    st.insert_failed += r[kInsertFailed];
    st.drop += r[kDrop];
    st.early_drop += r[kEarlyDrop];
    st.search_restart += r[kSearchRestart];
  }
  return st;
}

CollectorSpec ConntrackCollectorSpec() {
  return {"conntrack",
          true,
          "Exposes conntrack table usage from /proc/sys/net/netfilter/nf_conntrack_{count,max} "
          "(node_nf_conntrack_entries, node_nf_conntrack_entries_limit) and the /proc/net/stat/nf_conntrack "
          "counters summed over CPUs (node_nf_conntrack_stat_*).",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<ConntrackCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
