#include "agent/node_exporter_flags.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "agent/flags.h"
#include "collectors/registry.h"

namespace hostwatch {
namespace {

std::set<std::string> Known() { return AgentFlagNames(); }

// hostwatch has every collector of node_exporter 1.12.1 now; the message stays for the next
// upstream release's new ones, so it is tested on a flag set without one of them.
TEST(NodeExporterFlagsTest, AMissingCollectorNamesItAndTheGuide) {
  std::set<std::string> known = Known();
  known.erase("collector.logind");
  known.erase("no-collector.logind");
  std::string text = DescribeUnexpectedArgument("--collector.logind", known);
  EXPECT_NE(text.find("--collector.logind"), std::string::npos) << text;
  EXPECT_NE(text.find("logind collector is not in hostwatch yet"), std::string::npos) << text;
  EXPECT_NE(text.find(kMigrationDoc), std::string::npos) << text;
  // The negated and valued spellings name the same flag.
  EXPECT_NE(DescribeUnexpectedArgument("--no-collector.logind", known).find("logind collector"), std::string::npos);
  EXPECT_NE(DescribeUnexpectedArgument("--collector.logind=false", known).find("logind collector"), std::string::npos);
}

TEST(NodeExporterFlagsTest, AMissingOptionIsANodeExporterFlag) {
  std::string text = DescribeUnexpectedArgument("--runtime.gomaxprocs=2", Known());
  EXPECT_NE(text.find("node_exporter flag hostwatch does not have yet"), std::string::npos) << text;
  EXPECT_NE(text.find(kMigrationDoc), std::string::npos) << text;
}

TEST(NodeExporterFlagsTest, ADeprecatedFlagPointsToItsReplacement) {
  std::string text = DescribeUnexpectedArgument("--collector.filesystem.ignored-mount-points=^/x", Known());
  EXPECT_NE(text.find("use --collector.filesystem.mount-points-exclude"), std::string::npos) << text;
  // ... which hostwatch has.
  EXPECT_TRUE(Known().count("collector.filesystem.mount-points-exclude"));
}

TEST(NodeExporterFlagsTest, ATypoGetsASuggestion) {
  std::string text = DescribeUnexpectedArgument("--web.listen-adress=:1", Known());
  EXPECT_NE(text.find("unknown flag --web.listen-adress"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean --web.listen-address?"), std::string::npos) << text;
  std::string far = DescribeUnexpectedArgument("--completely-different", Known());
  EXPECT_EQ(far.find("did you mean"), std::string::npos) << far;
}

TEST(NodeExporterFlagsTest, APositionalArgumentIsNamed) {
  EXPECT_NE(DescribeUnexpectedArgument("extra", Known()).find("unexpected argument \"extra\""), std::string::npos);
}

// What the migration guide lists under "node_exporter flags hostwatch does not have yet":
// every backticked name in that section.
std::set<std::string> ListedAsMissing() {
  std::ifstream in(std::string(HOSTWATCH_SOURCE_DIR) + "/" + std::string(kMigrationDoc));
  std::stringstream all;
  all << in.rdbuf();
  std::string doc = all.str();
  std::size_t start = doc.find("## node_exporter flags hostwatch does not have yet");
  if (start == std::string::npos) {
    ADD_FAILURE() << "section missing in " << kMigrationDoc;
    return {};
  }
  std::size_t end = doc.find("\n## ", start + 1);
  std::string section = doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::set<std::string> names;
  std::regex ticked("`(--?[a-z0-9_.-]+[A-Za-z]*|[a-z0-9_]+)`");
  for (auto it = std::sregex_iterator(section.begin(), section.end(), ticked); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

// The guide's list is exactly node_exporter's collectors and flags that hostwatch lacks
// (deprecated aliases aside), so it neither hides a gap nor lists one that was closed.
TEST(NodeExporterFlagsTest, TheMigrationGuideListsExactlyWhatIsMissing) {
  std::set<std::string> expected;
  for (std::string_view c : NodeExporterCollectors()) {
    if (FindCollector(std::string(c)) == nullptr) {
      expected.insert(std::string(c));
    }
  }
  std::set<std::string> known = Known();
  for (std::string_view f : NodeExporterFlags()) {
    std::string flag(f);
    bool missing_collector = false;
    for (const std::string& c : expected) {
      missing_collector |= flag.starts_with("collector." + c + ".");
    }
    bool deprecated = DescribeUnexpectedArgument("--" + flag, known).find("deprecated") != std::string::npos;
    if (!known.count(flag) && !missing_collector && !deprecated) {
      expected.insert("--" + flag);
    }
  }
  std::set<std::string> listed = ListedAsMissing();
  std::string want;
  for (const std::string& n : expected) {
    want += " `" + n + "`";
  }
  EXPECT_EQ(listed, expected) << "the section should list:" << want;
}

}  // namespace
}  // namespace hostwatch
