#include "agent/reload_state.h"

#include <gtest/gtest.h>

#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

std::string Text(const MetricSource& source) {
  MetricSink sink;
  source.Collect(sink);
  return SerializeText(sink.TakeFamilies());
}

TEST(ReloadStateTest, AFailedReloadKeepsTheLastSuccessTime) {
  ReloadState state;
  state.Succeeded(1700000000);
  state.Failed();
  EXPECT_FALSE(state.last_reload_ok());
  EXPECT_DOUBLE_EQ(state.last_reload_success_time(), 1700000000);
  std::string text = Text(state);
  EXPECT_NE(text.find("\nhostwatch_config_last_reload_successful 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nhostwatch_config_last_reload_success_timestamp_seconds 1.7e+09\n"), std::string::npos) << text;
  state.Succeeded(1700000100);
  EXPECT_NE(Text(state).find("\nhostwatch_config_last_reload_successful 1\n"), std::string::npos);
}

TEST(ReloadStateTest, ReportsTheWebConfigOnlyWhenThereIsAFile) {
  ReloadState state;
  EXPECT_EQ(Text(state).find("hostwatch_web_config_last_reload_successful"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
