#include "collectors/host/uname.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(UnameTest, ReadsThisHost) {
  Result<UnameInfo> u = ReadUname();
  ASSERT_TRUE(u.ok()) << u.status().message();
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof(host) - 1), 0);
  EXPECT_EQ(u.value().nodename, host);
  EXPECT_EQ(u.value().sysname, "Linux");
  EXPECT_FALSE(u.value().release.empty());
  EXPECT_FALSE(u.value().machine.empty());
}

TEST(UnameCollectorTest, ExportsInfoWithSortedLabels) {
  Result<UnameInfo> u = ReadUname();
  ASSERT_TRUE(u.ok());
  testing::CollectorRun run = testing::RunCollectorOnce("uname", ProcFs());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text.rfind("# HELP node_uname_info Labeled system information as provided by the uname system "
                           "call.\n# TYPE node_uname_info gauge\nnode_uname_info{domainname=\"",
                           0),
            0u)
      << run.text;
  EXPECT_NE(run.text.find(",machine=\"" + u.value().machine + "\",nodename=\"" + u.value().nodename + "\",release=\"" +
                          u.value().release + "\",sysname=\"Linux\",version=\""),
            std::string::npos)
      << run.text;
}

}  // namespace
}  // namespace hostwatch
