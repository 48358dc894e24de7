#include "agent/scrape_threads.h"

namespace hostwatch {

std::shared_ptr<ScrapeThreads::CollectorSlot> ScrapeThreads::Slot(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<CollectorSlot>& slot = slots_[name];
  if (slot == nullptr) {
    slot = std::make_shared<CollectorSlot>();
  }
  return slot;
}

std::size_t ScrapeThreads::HungCollectors() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const auto& [name, slot] : slots_) {
    n += slot->stuck.load() ? 1 : 0;
  }
  return n;
}

}  // namespace hostwatch
