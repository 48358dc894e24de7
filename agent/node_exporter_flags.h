// node_exporter 1.12.1's Linux command line, so that a flag carried over from a
// node_exporter unit or /etc/default file is refused with a useful message: either
// "hostwatch does not have this yet" (pointing to the migration guide, which lists them)
// or "this is not a node_exporter flag either" (a typo), instead of CLI11's generic
// "arguments were not expected".
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

// Where the migration guide lists node_exporter's flags and collectors hostwatch lacks.
inline constexpr std::string_view kMigrationDoc = "docs/migrating-from-node-exporter.md";

// Collector names node_exporter 1.12.1 registers on Linux (--collector.<name>).
const std::vector<std::string_view>& NodeExporterCollectors();

// Every other long flag of node_exporter 1.12.1 on Linux, without the leading "--"
// (collector options, web, path, log and runtime flags).
const std::vector<std::string_view>& NodeExporterFlags();

// The explanation for a command-line argument the parser did not take. `arg` is the
// argument as given ("--collector.nfs", "--no-collector.zfs", "--collector.x.y=1", "foo");
// `known` holds the long names (without "--") hostwatch accepts, to suggest a near miss.
std::string DescribeUnexpectedArgument(std::string_view arg, const std::set<std::string>& known);

}  // namespace hostwatch
