#include "agent/scraper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using namespace std::chrono_literals;

const MetricDesc kValue{"test_value", "A test value.", MetricType::Gauge, {}};

class ConstantCollector : public Collector {
 public:
  explicit ConstantCollector(double v) : v_(v) {}
  Status Collect(MetricSink& sink) override {
    sink.Add(kValue, v_);
    return Status::OK();
  }

 private:
  double v_;
};

class FailingCollector : public Collector {
 public:
  Status Collect(MetricSink& sink) override {
    sink.CountParseError(2);
    return Status::Error("broken");
  }
};

// Nothing to read on this host, like mdadm without /proc/mdstat.
class NoDataCollector : public Collector {
 public:
  Status Collect(MetricSink&) override { return Status::NoData("no /proc/mdstat"); }
};

// Blocks in Collect until released, like statfs on a dead NFS mount.
class HangingCollector : public Collector {
 public:
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> calls{0};
  };
  explicit HangingCollector(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  Status Collect(MetricSink& sink) override {
    ++gate_->calls;
    std::unique_lock<std::mutex> lock(gate_->mu);
    gate_->cv.wait(lock, [&] { return gate_->open; });
    sink.Add(kValue, 99);
    return Status::OK();
  }

 private:
  std::shared_ptr<Gate> gate_;
};

// One scrape's document, as /metrics would serialize it.
std::string Scrape(const Scraper& scraper) {
  MetricSink sink;
  scraper.Collect(sink);
  return SerializeText(sink.TakeFamilies());
}

std::vector<Scraper::NamedCollector> Collectors(std::vector<std::pair<std::string, CollectorPtr>> list) {
  std::vector<Scraper::NamedCollector> out;
  for (auto& [name, c] : list) {
    out.push_back({name, std::move(c)});
  }
  return out;
}

// Lets every call blocked on gate return.
void Open(HangingCollector::Gate& gate) {
  {
    std::lock_guard<std::mutex> lock(gate.mu);
    gate.open = true;
  }
  gate.cv.notify_all();
}

TEST(ScraperTest, ReportsSuccessPerCollectorAndParseErrors) {
  std::vector<std::pair<std::string, CollectorPtr>> list;
  list.emplace_back("good", std::make_unique<ConstantCollector>(1));
  list.emplace_back("bad", std::make_unique<FailingCollector>());
  Scraper scraper(Collectors(std::move(list)), 2s, std::make_shared<ScrapeThreads>(8));
  std::string text = Scrape(scraper);
  EXPECT_NE(text.find("node_scrape_collector_success{collector=\"good\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_scrape_collector_success{collector=\"bad\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("hostwatch_collector_parse_errors_total{collector=\"bad\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("test_value 1\n"), std::string::npos);
}

// Success stays 0 for "no data", as node_exporter reports it; hostwatch_collector_no_data is the
// separate signal that lets HostwatchCollectorFailing (dashboards/alerts.yml) skip it.
TEST(ScraperTest, NoDataIsReportedApartFromFailure) {
  std::vector<std::pair<std::string, CollectorPtr>> list;
  list.emplace_back("good", std::make_unique<ConstantCollector>(1));
  list.emplace_back("bad", std::make_unique<FailingCollector>());
  list.emplace_back("empty", std::make_unique<NoDataCollector>());
  Scraper scraper(Collectors(std::move(list)), 2s, std::make_shared<ScrapeThreads>(8));
  std::string text = Scrape(scraper);
  EXPECT_NE(text.find("node_scrape_collector_success{collector=\"empty\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hostwatch_collector_no_data{collector=\"empty\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hostwatch_collector_no_data{collector=\"bad\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hostwatch_collector_no_data{collector=\"good\"} 0\n"), std::string::npos) << text;
}

TEST(ScraperTest, RunInfoIsEmptyBeforeTheFirstScrapeAndKeepsTheLastRun) {
  std::vector<std::pair<std::string, CollectorPtr>> list;
  list.emplace_back("good", std::make_unique<ConstantCollector>(1));
  list.emplace_back("bad", std::make_unique<FailingCollector>());
  Scraper scraper(Collectors(std::move(list)), 2s, std::make_shared<ScrapeThreads>(8));
  std::vector<CollectorRunInfo> before = scraper.RunInfo();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].name, "good");
  EXPECT_FALSE(before[0].ever_run);

  Scrape(scraper);
  std::vector<CollectorRunInfo> after = scraper.RunInfo();
  EXPECT_TRUE(after[0].ever_run);
  EXPECT_TRUE(after[0].last_success);
  EXPECT_EQ(after[1].name, "bad");
  EXPECT_FALSE(after[1].last_success);
  EXPECT_EQ(after[1].last_error, "broken");
  EXPECT_EQ(after[1].parse_errors_total, 2u);
}

TEST(ScraperTest, HungCollectorMissesDeadlineAndLaterCollectorsStillRun) {
  auto gate = std::make_shared<HangingCollector::Gate>();
  std::vector<std::pair<std::string, CollectorPtr>> list;
  list.emplace_back("hang", std::make_unique<HangingCollector>(gate));
  list.emplace_back("after", std::make_unique<ConstantCollector>(7));
  Scraper scraper(Collectors(std::move(list)), 200ms, std::make_shared<ScrapeThreads>(8));

  auto start = std::chrono::steady_clock::now();
  std::string first = Scrape(scraper);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, 2s);  // bounded by the deadline, not by the hang
  EXPECT_NE(first.find("node_scrape_collector_success{collector=\"hang\"} 0\n"), std::string::npos) << first;
  EXPECT_NE(first.find("node_scrape_collector_success{collector=\"after\"} 1\n"), std::string::npos);
  EXPECT_NE(first.find("test_value 7\n"), std::string::npos);
  EXPECT_EQ(first.find("test_value 99"), std::string::npos);

  // While still hung, the collector is skipped instead of pinning another thread.
  std::string second = Scrape(scraper);
  EXPECT_NE(second.find("node_scrape_collector_success{collector=\"hang\"} 0\n"), std::string::npos);
  EXPECT_EQ(gate->calls.load(), 1);

  Open(*gate);
  // Once the hung call returns, the collector runs again.
  for (int i = 0; i < 100; ++i) {
    std::string text = Scrape(scraper);
    if (text.find("node_scrape_collector_success{collector=\"hang\"} 1\n") != std::string::npos) {
      EXPECT_NE(text.find("test_value 99\n"), std::string::npos);
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL() << "hung collector never recovered";
}

// Issue 16 item 4: a reload builds a new Scraper with new collectors. On the
// same ScrapeThreads, the collector still hung under an earlier configuration
// is skipped instead of pinning one more thread per reload.
TEST(ScraperTest, ReloadsWhileACollectorHangsPinNoMoreThreads) {
  auto gate = std::make_shared<HangingCollector::Gate>();
  auto threads = std::make_shared<ScrapeThreads>(8);
  auto reload = [&] {
    std::vector<std::pair<std::string, CollectorPtr>> list;
    list.emplace_back("hang", std::make_unique<HangingCollector>(gate));
    list.emplace_back("after", std::make_unique<ConstantCollector>(7));
    return std::make_unique<Scraper>(Collectors(std::move(list)), 100ms, threads);
  };
  std::string text;
  for (int i = 0; i < 10; ++i) {
    text = Scrape(*reload());
    EXPECT_NE(text.find("node_scrape_collector_success{collector=\"hang\"} 0\n"), std::string::npos) << i;
    EXPECT_NE(text.find("node_scrape_collector_success{collector=\"after\"} 1\n"), std::string::npos) << i;
    // One thread pinned by the hang, one that ran "after" and is reused.
    EXPECT_LE(threads->pool().ThreadCount(), 2u) << "reload " << i;
  }
  EXPECT_EQ(gate->calls.load(), 1) << "the hung collector was run again after a reload";
  EXPECT_NE(text.find("hostwatch_hung_threads{pool=\"collector\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hostwatch_hung_threads{pool=\"statfs\"} 0\n"), std::string::npos) << text;

  // Once the old configuration's call returns, the new configuration's collector runs.
  Open(*gate);
  std::unique_ptr<Scraper> latest = reload();
  for (int i = 0; i < 100; ++i) {
    text = Scrape(*latest);
    if (text.find("node_scrape_collector_success{collector=\"hang\"} 1\n") != std::string::npos) {
      EXPECT_NE(text.find("hostwatch_hung_threads{pool=\"collector\"} 0\n"), std::string::npos) << text;
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL() << "hung collector never recovered after the reloads";
}

TEST(ScraperTest, ParseErrorsCountSinceStartAcrossReloads) {
  auto threads = std::make_shared<ScrapeThreads>(8);
  for (int i = 1; i <= 2; ++i) {
    std::vector<std::pair<std::string, CollectorPtr>> list;
    list.emplace_back("bad", std::make_unique<FailingCollector>());
    Scraper scraper(Collectors(std::move(list)), 2s, threads);
    std::string text = Scrape(scraper);
    EXPECT_NE(text.find("hostwatch_collector_parse_errors_total{collector=\"bad\"} " + std::to_string(2 * i) + "\n"),
              std::string::npos)
        << text;
  }
}

}  // namespace
}  // namespace hostwatch
