// The mountstats parser (mountstats.h). Format: fs/proc_namespace.c show_vfsstat() writes one
// "device <source> mounted on <path> with fstype <type>" line per mount; NFS adds
// " statvers=<version>" and, from fs/nfs/super.c nfs_show_stats(), indented lines ("opts:",
// "age:", "bytes:", "events:", "xprt:", ...), then "per-op statistics" and one line per
// operation, and a blank line after the block.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/parse_util.h"
#include "collectors/host/mountstats.h"

namespace hostwatch {
namespace {

// The first n fields as unsigned numbers, or nullopt when there are fewer or one is not a number.
std::optional<std::vector<std::uint64_t>> LeadingUints(const std::vector<std::string_view>& fields,
                                                       std::size_t first, std::size_t n) {
  if (fields.size() < first + n) {
    return std::nullopt;
  }
  std::vector<std::uint64_t> out;
  out.reserve(n);
  for (std::size_t i = first; i < first + n; ++i) {
    std::optional<std::uint64_t> v = ParseUint(fields[i]);
    if (!v) {
      return std::nullopt;
    }
    out.push_back(*v);
  }
  return out;
}

template <std::size_t N>
bool ReadColumns(const std::vector<std::string_view>& fields, std::array<std::uint64_t, N>* out) {
  std::optional<std::vector<std::uint64_t>> v = LeadingUints(fields, 1, N);
  if (v) {
    std::copy(v->begin(), v->end(), out->begin());
  }
  return v.has_value();
}

// The number of columns after the protocol of an "xprt:" line (xprt_rdma and xs_*_print_stats),
// 0 for an unknown version or protocol. RDMA prints at least 20, more on newer kernels.
std::size_t TransportColumns(std::string_view version, std::string_view protocol) {
  if (version == "1.0") {
    return protocol == "tcp" ? 10 : protocol == "udp" ? 7 : 0;
  }
  if (version == "1.1") {
    return protocol == "tcp" ? 13 : protocol == "udp" ? 10 : protocol == "rdma" ? 20 : 0;
  }
  return 0;
}

// Reads mountstats line by line; each line goes to the entry it belongs to.
class MountStatsParser {
 public:
  explicit MountStatsParser(std::uint64_t* parse_errors) : errors_(parse_errors) {}

  void Line(std::string_view line) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      section_ = Section::kNone;  // the blank line after a statistics block
    } else if (f[0] == "device") {
      StartEntry(f);
    } else if (section_ == Section::kHeader) {
      HeaderLine(f);
    } else if (section_ == Section::kOperations) {
      OperationLine(f);
    }
  }

  std::vector<MountStatsEntry> Take() { return std::move(entries_); }

 private:
  enum class Section { kNone, kSkip, kHeader, kOperations };

  void Fail() {
    ++*errors_;
  }

  void StartEntry(const std::vector<std::string_view>& f) {
    const bool words = f.size() >= 8 && f[2] == "mounted" && f[3] == "on" && f[5] == "with" && f[6] == "fstype";
    if (!words) {
      Fail();
      section_ = Section::kSkip;  // the lines after it belong to an entry we cannot name
      return;
    }
    entries_.push_back({std::string(f[1]), std::string(f[4]), std::string(f[7]), std::nullopt});
    section_ = Section::kNone;
    if (f.size() == 8) {
      return;  // no statistics block
    }
    if (f[7] != "nfs" && f[7] != "nfs4") {
      Fail();  // only NFS statistics blocks are known
      section_ = Section::kSkip;
      return;
    }
    std::string_view version = f[8];
    if (version.starts_with("statvers=")) {
      version.remove_prefix(9);
    }
    entries_.back().nfs = NfsMountStats{};
    entries_.back().nfs->stat_version = std::string(version);
    section_ = Section::kHeader;
  }

  void HeaderLine(const std::vector<std::string_view>& f) {
    NfsMountStats& s = *entries_.back().nfs;
    bool ok = true;
    if (f[0] == "age:") {
      std::optional<std::vector<std::uint64_t>> age = LeadingUints(f, 1, 1);
      ok = age.has_value();
      s.age_seconds = ok ? (*age)[0] : s.age_seconds;
    } else if (f[0] == "bytes:") {
      ok = ReadColumns(f, &s.bytes);
    } else if (f[0] == "events:") {
      ok = ReadColumns(f, &s.events);
    } else if (f[0] == "xprt:") {
      std::optional<NfsTransportStats> t =
          ParseNfsTransport(std::vector<std::string_view>(f.begin() + 1, f.end()), s.stat_version);
      ok = t.has_value();
      if (ok) {
        s.transports.push_back(std::move(*t));
      }
    } else if (f[0] == "per-op") {
      section_ = Section::kOperations;
    }
    if (!ok) {
      Fail();
    }
  }

  void OperationLine(const std::vector<std::string_view>& f) {
    std::optional<std::vector<std::uint64_t>> v = LeadingUints(f, 1, 8);
    std::string_view name = f[0];
    if (name.ends_with(':')) {
      name.remove_suffix(1);
    }
    std::vector<NfsOperationStats>& ops = entries_.back().nfs->operations;
    const bool duplicate =
        std::any_of(ops.begin(), ops.end(), [&](const NfsOperationStats& o) { return o.operation == name; });
    if (!v || name.empty() || duplicate) {  // a second line of one operation would repeat its series
      Fail();
      return;
    }
    const std::vector<std::uint64_t>& n = *v;
    ops.push_back({std::string(name), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]});
  }

  std::uint64_t* errors_;
  Section section_ = Section::kNone;
  std::vector<MountStatsEntry> entries_;
};

}  // namespace

std::optional<NfsTransportStats> ParseNfsTransport(const std::vector<std::string_view>& fields,
                                                   std::string_view stat_version) {
  if (fields.empty()) {
    return std::nullopt;
  }
  const std::string_view protocol = fields[0];
  const std::size_t columns = TransportColumns(stat_version, protocol);
  const bool count_ok = protocol == "rdma" ? fields.size() - 1 >= columns : fields.size() - 1 == columns;
  std::optional<std::vector<std::uint64_t>> c =
      columns == 0 || !count_ok ? std::nullopt : LeadingUints(fields, 1, fields.size() - 1);
  if (!c) {
    return std::nullopt;
  }
  // The columns in the TCP 1.1 layout: port bind connect connect_idle idle sends recvs bad_xids
  // active backlog max_slots sending pending. UDP lacks the three connection columns.
  std::array<std::uint64_t, 13> v{};
  if (protocol == "udp") {
    v[0] = (*c)[0];
    v[1] = (*c)[1];
    std::copy(c->begin() + 2, c->end(), v.begin() + 5);
  } else {
    std::copy_n(c->begin(), std::min<std::size_t>(protocol == "rdma" ? 10 : 13, c->size()), v.begin());
  }
  return NfsTransportStats{std::string(protocol), v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                           v[7],                  v[8], v[9], v[10], v[11], v[12]};
}

std::vector<MountStatsEntry> ParseMountStats(std::string_view text, std::uint64_t* parse_errors) {
  MountStatsParser parser(parse_errors);
  for (std::string_view line : SplitLines(text)) {
    parser.Line(line);
  }
  return parser.Take();
}

std::string MountOptionValue(std::string_view options, std::string_view key) {
  std::string value;
  while (true) {
    const std::size_t comma = options.find(',');
    std::string_view option = options.substr(0, comma);
    const std::size_t eq = option.find('=');
    if (option.substr(0, eq) == key) {
      // Go's strings.Split(opt, "=")[1]: the text up to a second '=', if any.
      value = eq == std::string_view::npos ? "" : std::string(option.substr(eq + 1, option.find('=', eq + 1) - eq - 1));
    }
    if (comma == std::string_view::npos) {
      return value;
    }
    options.remove_prefix(comma + 1);
  }
}

}  // namespace hostwatch
