#include "collectors/host/supervisord.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::string Member(const std::string& name, const std::string& value) {
  return "<member>\n<name>" + name + "</name>\n<value>" + value + "</value>\n</member>\n";
}

std::string Response(const std::string& items) {
  return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n" + items +
         "</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
}

// What supervisord 4.2.5 answers (captured with python3's xmlrpc.client from Debian's supervisor).
TEST(SupervisordParserTest, ReadsTheRealAnswer) {
  std::uint64_t errors = 0;
  Result<std::vector<SupervisordProcess>> r =
      ParseSupervisordResponse(testing::ReadFixture("supervisord/getAllProcessInfo.xml"), &errors);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(r.value().size(), 3u);
  const SupervisordProcess& exited = r.value()[0];
  EXPECT_EQ(exited.name, "exits");
  EXPECT_EQ(exited.group, "exits");
  EXPECT_EQ(exited.state, 100);
  EXPECT_EQ(exited.exit_status, 3);
  EXPECT_EQ(r.value()[1].name, "idle");
  EXPECT_EQ(r.value()[1].state, 0);  // never started
  const SupervisordProcess& sleeper = r.value()[2];
  EXPECT_EQ(sleeper.name, "sleeper");
  EXPECT_EQ(sleeper.state, 20);
  EXPECT_EQ(sleeper.start, 1796643811);
  EXPECT_EQ(sleeper.pid, 24440);
}

TEST(SupervisordParserTest, TypesEntitiesAndUntypedStrings) {
  std::uint64_t errors = 0;
  std::string item = "<value><struct>" + Member("name", "<string>a&amp;b &lt;&#233;&#x41;&gt;</string>") +
                     Member("group", "web") + Member("state", "<i4> 20 </i4>") + Member("start", "<int>1700000000</int>") +
                     Member("exitstatus", "<int>-1</int>") + Member("description", "<string/>") +
                     Member("spawnerr", "<string><![CDATA[x<y]]></string>") + Member("now", "<i8>1</i8>") +
                     "</struct></value>\n";
  Result<std::vector<SupervisordProcess>> r = ParseSupervisordResponse(Response(item), &errors);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].name, "a&b <\xc3\xa9" "A>");
  EXPECT_EQ(r.value()[0].group, "web");
  EXPECT_EQ(r.value()[0].state, 20);
  EXPECT_EQ(r.value()[0].start, 1700000000);
  EXPECT_EQ(r.value()[0].exit_status, -1);
  EXPECT_EQ(errors, 0u);
}

TEST(SupervisordParserTest, WrongTypesAndItemsAreCountedAndSkipped) {
  std::uint64_t errors = 0;
  std::string items = "<value><struct>" + Member("name", "<string>a</string>") + Member("state", "<string>20</string>") +
                      Member("pid", "<double>1.5</double>") + "</struct></value>\n<value><int>7</int></value>\n";
  Result<std::vector<SupervisordProcess>> r = ParseSupervisordResponse(Response(items), &errors);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].state, 0);
  EXPECT_EQ(errors, 3u);  // state, pid, the int item
}

TEST(SupervisordParserTest, EmptyListIsNoProcess) {
  std::uint64_t errors = 0;
  EXPECT_TRUE(ParseSupervisordResponse(Response(""), &errors).value().empty());
  std::string empty_data = "<methodResponse><params><param><value><array><data/></array></value></param></params>"
                           "</methodResponse>";
  EXPECT_TRUE(ParseSupervisordResponse(empty_data, &errors).value().empty());
}

TEST(SupervisordParserTest, FaultsAndMalformedAnswersAreErrors) {
  std::uint64_t errors = 0;
  std::string fault = "<?xml version='1.0'?><methodResponse><fault><value><struct>" +
                      Member("faultCode", "<int>1</int>") + Member("faultString", "<string>UNKNOWN_METHOD</string>") +
                      "</struct></value></fault></methodResponse>";
  Result<std::vector<SupervisordProcess>> r = ParseSupervisordResponse(fault, &errors);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "fault 1: UNKNOWN_METHOD");
  for (const std::string& bad : {std::string("<html>nope</html>"), std::string(""), Response("<value><struct>"),
                                Response("<value><string>&bogus;</string></value>"),
                                std::string("<methodResponse><params><param><value><int>3</int></value></param>"
                                            "</params></methodResponse>")}) {
    EXPECT_FALSE(ParseSupervisordResponse(bad, &errors).ok()) << bad;
  }
}

TEST(SupervisordParserTest, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 40; ++i) {
    deep += "<value><array><data>";
  }
  std::uint64_t errors = 0;
  EXPECT_FALSE(ParseSupervisordResponse(Response(deep), &errors).ok());
}

TEST(SupervisordStateTest, UpMeansStartingRunningOrStopping) {
  for (std::int64_t s : {10, 20, 40}) {
    EXPECT_TRUE(SupervisordProcessRunning(s)) << s;
  }
  for (std::int64_t s : {0, 30, 100, 200, 1000}) {
    EXPECT_FALSE(SupervisordProcessRunning(s)) << s;
  }
}

// Nothing listens on the URL's port: supervisord does not run here, "no data".
TEST(SupervisordCollectorTest, RefusedConnectionIsNoData) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("supervisord", "url", "http://127.0.0.1:1/RPC2").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("supervisord", testing::FixtureFs({}), options);
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  ASSERT_TRUE(options.Set("supervisord", "url", "unix://" + testing::FixturePath("supervisord/no.sock")).ok());
  run = testing::RunCollectorOnce("supervisord", testing::FixtureFs({}), options);
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
