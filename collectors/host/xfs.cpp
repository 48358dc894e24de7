#include "collectors/host/xfs.h"

#include <limits>
#include <memory>
#include <optional>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// A line of the stats file that node_exporter exports, and how many values it has.
struct XfsLine {
  std::string_view label;
  std::size_t min_values;
  std::size_t max_values;
};
constexpr XfsLine kLines[] = {
    {"extent_alloc", 4, 4}, {"abt", 4, 4}, {"blk_map", 7, 7}, {"bmbt", 4, 4},
    {"dir", 4, 4},          {"ig", 7, 7},  {"rw", 2, 2},      {"vnodes", 7, 8},
};

// One exported value: the index-th number of a line.
struct XfsValue {
  std::string_view label;
  std::size_t index;
  MetricDesc desc;
};

const std::vector<std::string> kDevice = {"device"};

XfsValue V(std::string_view label, std::size_t index, const std::string& name, std::string help) {
  return {label, index, {"node_xfs_" + name, std::move(help), MetricType::Counter, kDevice}};
}

// Names and HELP texts as node_exporter's (from the XFS wiki's Runtime_Stats page).
const std::vector<XfsValue> kValues = {
    V("extent_alloc", 0, "extent_allocation_extents_allocated_total", "Number of extents allocated for a filesystem."),
    V("extent_alloc", 1, "extent_allocation_blocks_allocated_total", "Number of blocks allocated for a filesystem."),
    V("extent_alloc", 2, "extent_allocation_extents_freed_total", "Number of extents freed for a filesystem."),
    V("extent_alloc", 3, "extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem."),
    V("abt", 0, "allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem."),
    V("abt", 1, "allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem."),
    V("abt", 2, "allocation_btree_records_inserted_total",
      "Number of allocation B-tree records inserted for a filesystem."),
    V("abt", 3, "allocation_btree_records_deleted_total",
      "Number of allocation B-tree records deleted for a filesystem."),
    V("blk_map", 0, "block_mapping_reads_total", "Number of block map for read operations for a filesystem."),
    V("blk_map", 1, "block_mapping_writes_total", "Number of block map for write operations for a filesystem."),
    V("blk_map", 2, "block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem."),
    V("blk_map", 3, "block_mapping_extent_list_insertions_total", "Number of extent list insertions for a filesystem."),
    V("blk_map", 4, "block_mapping_extent_list_deletions_total", "Number of extent list deletions for a filesystem."),
    V("blk_map", 5, "block_mapping_extent_list_lookups_total", "Number of extent list lookups for a filesystem."),
    V("blk_map", 6, "block_mapping_extent_list_compares_total", "Number of extent list compares for a filesystem."),
    V("bmbt", 0, "block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem."),
    V("bmbt", 1, "block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem."),
    V("bmbt", 2, "block_map_btree_records_inserted_total",
      "Number of block map B-tree records inserted for a filesystem."),
    V("bmbt", 3, "block_map_btree_records_deleted_total", "Number of block map B-tree records deleted for a filesystem."),
    V("dir", 0, "directory_operation_lookup_total",
      "Number of file name directory lookups which miss the operating systems directory name lookup cache."),
    V("dir", 1, "directory_operation_create_total",
      "Number of times a new directory entry was created for a filesystem."),
    V("dir", 2, "directory_operation_remove_total",
      "Number of times an existing directory entry was created for a filesystem."),
    V("dir", 3, "directory_operation_getdents_total",
      "Number of times the directory getdents operation was performed for a filesystem."),
    V("ig", 0, "inode_operation_attempts_total",
      "Number of times the OS looked for an XFS inode in the inode cache."),
    V("ig", 1, "inode_operation_found_total",
      "Number of times the OS looked for and found an XFS inode in the inode cache."),
    V("ig", 2, "inode_operation_recycled_total",
      "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled."),
    V("ig", 3, "inode_operation_missed_total",
      "Number of times the OS looked for an XFS inode in the cache, but did not find it."),
    V("ig", 4, "inode_operation_duplicates_total",
      "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been "
      "added by another process."),
    V("ig", 5, "inode_operation_reclaims_total",
      "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose."),
    V("ig", 6, "inode_operation_attribute_changes_total",
      "Number of times the OS explicitly changed the attributes of an XFS inode."),
    // The kernel prints the rw line as "<write calls> <read calls>".
    V("rw", 1, "read_calls_total", "Number of read(2) system calls made to files in a filesystem."),
    V("rw", 0, "write_calls_total", "Number of write(2) system calls made to files in a filesystem."),
    V("vnodes", 0, "vnode_active_total", "Number of vnodes not on free lists for a filesystem."),
    V("vnodes", 1, "vnode_allocate_total", "Number of times vn_alloc called for a filesystem."),
    V("vnodes", 2, "vnode_get_total", "Number of times vn_get called for a filesystem."),
    V("vnodes", 3, "vnode_hold_total", "Number of times vn_hold called for a filesystem."),
    V("vnodes", 4, "vnode_release_total", "Number of times vn_rele called for a filesystem."),
    V("vnodes", 5, "vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."),
    V("vnodes", 6, "vnode_remove_total", "Number of times vn_remove called for a filesystem."),
};

const XfsLine* FindLine(std::string_view label) {
  for (const XfsLine& line : kLines) {
    if (line.label == label) {
      return &line;
    }
  }
  return nullptr;
}

std::optional<std::vector<std::uint32_t>> ParseValues(const std::vector<std::string_view>& fields,
                                                      const XfsLine& line) {
  const std::size_t n = fields.size() - 1;
  if (n < line.min_values || n > line.max_values) {
    return std::nullopt;
  }
  std::vector<std::uint32_t> values;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    std::optional<std::uint64_t> v = ParseUint(fields[i]);
    if (!v || *v > std::numeric_limits<std::uint32_t>::max()) {
      return std::nullopt;
    }
    values.push_back(static_cast<std::uint32_t>(*v));
  }
  return values;
}

class XfsCollector : public Collector {
 public:
  explicit XfsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    // No /sys/fs/xfs: the xfs module is not loaded (or the kernel predates
    // 4.4's per-filesystem stats): no data.
    Result<DirHandle> root = fs_.OpenDir(fs_.SysPath("fs/xfs"));
    if (!root.ok()) {
      return root.status();
    }
    Result<std::vector<std::string>> names = root.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // Every file is read before anything is added: a read failure fails the
    // scrape without a partial set of filesystems, as in node_exporter.
    std::vector<std::pair<std::string, XfsStats>> filesystems;
    for (const std::string& name : names.value()) {
      Result<std::string> text = root.value().ReadFile(name + "/stats/stats");
      if (!text.ok() && text.status().no_data()) {
        continue;  // not a filesystem (the global "stats" directory has no stats/stats)
      }
      if (!text.ok()) {
        return text.status();
      }
      std::uint64_t errors = 0;
      filesystems.emplace_back(name, ParseXfsStats(text.value(), &errors));
      sink.CountParseError(errors);
    }
    for (const auto& [device, stats] : filesystems) {
      for (const XfsValue& v : kValues) {
        auto line = stats.find(v.label);
        if (line != stats.end() && v.index < line->second.size()) {
          sink.Add(v.desc, static_cast<double>(line->second[v.index]), {device});
        }
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
};

}  // namespace

XfsStats ParseXfsStats(std::string_view text, std::uint64_t* parse_errors) {
  XfsStats stats;
  for (std::string_view raw : SplitLines(text)) {
    std::vector<std::string_view> fields = SplitFields(raw);
    const XfsLine* line = fields.size() < 2 ? nullptr : FindLine(fields[0]);
    if (line == nullptr) {
      continue;
    }
    std::optional<std::vector<std::uint32_t>> values = ParseValues(fields, *line);
    if (!values) {
      ++*parse_errors;
      continue;
    }
    stats.insert_or_assign(std::string(line->label), std::move(*values));
  }
  return stats;
}

CollectorSpec XfsCollectorSpec() {
  return {"xfs",
          true,
          "Exposes XFS runtime statistics per filesystem (/sys/fs/xfs/<device>/stats/stats): extent allocation, "
          "B-tree, block mapping, directory, inode and vnode operation counters and read/write calls as node_xfs_*.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<XfsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
