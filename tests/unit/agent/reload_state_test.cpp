#include "agent/reload_state.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ReloadStateTest, AFailedReloadKeepsTheLastSuccessTime) {
  ReloadState state;
  state.Succeeded(1700000000);
  state.Failed();
  EXPECT_FALSE(state.last_reload_ok());
  EXPECT_DOUBLE_EQ(state.last_reload_success_time(), 1700000000);
  std::string text = testing::CollectText(state);
  EXPECT_EQ(testing::Sample(text, "hostwatch_config_last_reload_successful"), 0) << text;
  EXPECT_EQ(testing::Sample(text, "hostwatch_config_last_reload_success_timestamp_seconds"), 1.7e+09) << text;
  state.Succeeded(1700000100);
  EXPECT_EQ(testing::Sample(testing::CollectText(state), "hostwatch_config_last_reload_successful"), 1);
}

TEST(ReloadStateTest, ReportsTheWebConfigOnlyWhenThereIsAFile) {
  ReloadState state;
  EXPECT_EQ(testing::CollectText(state).find("hostwatch_web_config_last_reload_successful"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
