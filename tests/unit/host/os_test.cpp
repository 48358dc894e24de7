#include "collectors/host/os.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs RootFs(const std::string& dir) { return testing::FixtureFs({.rootfs = testing::FixturePath(dir)}); }

TEST(OsReleaseParserTest, UnquotesValuesLikeAShell) {
  std::uint64_t errors = 0;
  std::map<std::string, std::string> kv = ParseOsRelease(
      "NAME=\"Debian GNU/Linux\"\nID=debian\nVARIANT='Server Edition'\nQ=\"say \\\"hi\\\" \\\\ \\$HOME\"\n"
      "# comment\n\nTRAILING=value # comment\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(kv["NAME"], "Debian GNU/Linux");
  EXPECT_EQ(kv["ID"], "debian");
  EXPECT_EQ(kv["VARIANT"], "Server Edition");
  EXPECT_EQ(kv["Q"], "say \"hi\" \\ $HOME");
  EXPECT_EQ(kv["TRAILING"], "value");
}

TEST(OsReleaseParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {"no equals sign\n",     "=value\n",    "1KEY=x\n",
                       "KEY=\"unterminated\n", "KEY='open\n", "KEY=two words\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseOsRelease(line, &errors).empty()) << line;
    EXPECT_EQ(errors, 1u) << line;
  }
}

TEST(OsReleaseParserTest, VersionNumberIsMajorMinor) {
  EXPECT_EQ(OsVersionNumber("20.04"), 20.04);
  EXPECT_EQ(OsVersionNumber("12"), 12);
  EXPECT_EQ(OsVersionNumber("8.4.2105"), 8.4);
  EXPECT_EQ(OsVersionNumber("12."), 12);
  EXPECT_FALSE(OsVersionNumber("rolling").has_value());
  EXPECT_FALSE(OsVersionNumber("").has_value());
}

TEST(OsReleaseParserTest, SupportEndIsMidnightUtc) {
  EXPECT_EQ(ParseSupportEnd("2028-06-30"), 1845936000.0);
  EXPECT_EQ(ParseSupportEnd("1970-01-01"), 0.0);
  EXPECT_FALSE(ParseSupportEnd("2028-13-01").has_value());
  EXPECT_FALSE(ParseSupportEnd("2028-6-30").has_value());
}

TEST(OsCollectorTest, PrefersEtcOsRelease) {
  testing::CollectorRun run = testing::RunCollectorOnce("os", RootFs("os/both"));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);  // BUILD_ID with an unterminated quote, the line without '='
  EXPECT_NE(
      run.text.find("node_os_info{build_id=\"\",id=\"debian\",id_like=\"\",image_id=\"\",image_version=\"\","
                    "name=\"Debian GNU/Linux\",pretty_name=\"Debian GNU/Linux 12 (bookworm)\",variant=\"\","
                    "variant_id=\"\",version=\"12 (bookworm)\",version_codename=\"bookworm\",version_id=\"12\"} 1\n"),
      std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_os_version{id=\"debian\",id_like=\"\",name=\"Debian GNU/Linux\"}"), 12);
  EXPECT_NE(run.text.find("# HELP node_os_support_end_timestamp_seconds Metric containing the end-of-life date "
                          "timestamp of the OS.\n# TYPE node_os_support_end_timestamp_seconds gauge\n"
                          "node_os_support_end_timestamp_seconds 1.845936e+09\n"),
            std::string::npos);
}

TEST(OsCollectorTest, FallsBackToUsrLibOsRelease) {
  testing::CollectorRun run = testing::RunCollectorOnce("os", RootFs("os/usr_only"));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_os_info A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
            "image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.\n"
            "# TYPE node_os_info gauge\n"
            "node_os_info{build_id=\"\",id=\"ubuntu\",id_like=\"debian\",image_id=\"\",image_version=\"\","
            "name=\"Ubuntu\",pretty_name=\"Ubuntu 20.04.2 LTS\",variant=\"\",variant_id=\"\","
            "version=\"20.04.2 LTS (Focal Fossa)\",version_codename=\"\",version_id=\"20.04\"} 1\n"
            "# HELP node_os_version Metric containing the major.minor part of the OS version.\n"
            "# TYPE node_os_version gauge\nnode_os_version{id=\"ubuntu\",id_like=\"debian\",name=\"Ubuntu\"} 20.04\n");
}

TEST(OsCollectorTest, NoOsReleaseIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("os", RootFs("os/does-not-exist")).status.no_data());
}

}  // namespace
}  // namespace hostwatch
