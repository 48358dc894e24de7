#include "collectors/registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// AllCollectors() sorts what it returns, so only a duplicate name can make
// neighbours compare equal here.
TEST(RegistryTest, NamesAreUnique) {
  const auto& all = AllCollectors();
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_NE(all[i - 1].name, all[i].name);
  }
}

// The table is one sorted list in the source too (a new collector goes in its
// place, not at the end): the order of the XxxCollectorSpec() lines in
// registry.cpp, checked case-insensitively since spec functions are PascalCase.
TEST(RegistryTest, SourceTableIsWrittenSorted) {
  std::ifstream in(std::string(HOSTWATCH_SOURCE_DIR) + "/collectors/registry.cpp");
  ASSERT_TRUE(in.good());
  std::vector<std::string> entries;
  for (std::string line; std::getline(in, line);) {
    const std::string_view l = TrimSpace(line);
    if (l.starts_with("&") && l.ends_with("CollectorSpec,")) {
      entries.push_back(AsciiToLower(l.substr(1, l.size() - 1 - std::string_view("CollectorSpec,").size())));
    }
  }
  EXPECT_EQ(entries.size(), AllCollectors().size());
  EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end())) << ::testing::PrintToString(entries);
}

TEST(RegistryTest, EveryOptionBelongsToItsCollectorOnceWithAValidDefault) {
  for (const CollectorSpec& spec : AllCollectors()) {
    std::set<std::string> keys;
    for (const OptionSpec& option : spec.options) {
      EXPECT_EQ(option.collector, spec.name) << option.key;
      EXPECT_TRUE(keys.insert(option.key).second) << spec.name << "." << option.key << " listed twice";
      Result<OptionValue> v = ParseOptionValue(option.kind, option.default_value);
      EXPECT_TRUE(v.ok()) << spec.name << "." << option.key << ": " << v.status().message();
      EXPECT_FALSE(option.help.empty()) << spec.name << "." << option.key;
    }
  }
}

TEST(RegistryTest, DefaultCollectorOptionsDeclaresEveryListedOption) {
  CollectorOptions options = DefaultCollectorOptions();
  for (const CollectorSpec& spec : AllCollectors()) {
    for (const OptionSpec& option : spec.options) {
      const OptionSpec* found = options.Find(spec.name, option.key);
      ASSERT_NE(found, nullptr) << spec.name << "." << option.key;
      EXPECT_EQ(found->default_value, option.default_value);
    }
  }
}

// The guarantee behind typed handles: a collector reads only options its own
// spec lists. Each collector is built with exactly its own declarations; any
// handle it reads beyond them shows up in undeclared_reads().
TEST(RegistryTest, EveryCollectorReadsOnlyTheOptionsItsSpecLists) {
  ProcFs fs = testing::FixtureFs({});
  for (const CollectorSpec& spec : AllCollectors()) {
    CollectorOptions own;
    for (const OptionSpec& option : spec.options) {
      own.Declare(option);
    }
    Result<CollectorPtr> built = spec.make(CollectorContext{fs, own});
    EXPECT_TRUE(built.ok()) << spec.name << ": " << built.status().message();
    EXPECT_TRUE(own.undeclared_reads().empty())
        << spec.name << " reads undeclared options, first: " << own.undeclared_reads().front();
  }
}

}  // namespace
}  // namespace hostwatch
