#include "collectors/host/entropy.h"

#include <gtest/gtest.h>

#include "collectors/core/parse_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// Entropy files hold one unsigned number: the shared value-file parser reads them.
TEST(EntropyParserTest, ParsesOneNumber) {
  EXPECT_EQ(ParseUintValue("256\n"), 256.0);
  EXPECT_EQ(ParseUintValue(" 4096 "), 4096.0);
}

TEST(EntropyParserTest, RejectsMalformedInput) {
  const char* bad[] = {"", "\n", "x", "-1", "4096 bits", "1 2", "1.5"};
  for (const char* text : bad) {
    EXPECT_FALSE(ParseUintValue(text).has_value()) << '"' << text << '"';
  }
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(EntropyCollectorTest, ExportsFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("entropy", FixtureFs(testing::FixturePath("entropy/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_entropy_available_bits Bits of available entropy.\n"
            "# TYPE node_entropy_available_bits gauge\nnode_entropy_available_bits 256\n"
            "# HELP node_entropy_pool_size_bits Bits of entropy pool.\n"
            "# TYPE node_entropy_pool_size_bits gauge\nnode_entropy_pool_size_bits 256\n");
}

TEST(EntropyCollectorTest, MalformedPoolSizeFailsAfterAvailable) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("entropy", FixtureFs(testing::FixturePath("entropy/malformed/proc")));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(testing::Sample(run.text, "node_entropy_available_bits"), 256) << run.text;
  EXPECT_EQ(run.text.find("node_entropy_pool_size_bits"), std::string::npos) << run.text;
}

TEST(EntropyCollectorTest, MissingFilesFail) {
  testing::CollectorRun run = testing::RunCollectorOnce("entropy", FixtureFs("/nonexistent-proc"));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
}

}  // namespace
}  // namespace hostwatch
