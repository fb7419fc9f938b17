#include "activity/folder.h"

#include <limits>

#include "common/log.h"

namespace rapport::activity {

Folder::Folder(ActivityService& activities, Metrics& metrics, FolderOptions options)
    : activities_(activities), metrics_(metrics), options_(options) {
  metrics_.Describe("rapport_activities_unfolded",
                    "Activities not folded into the aggregates yet (an estimate).");
  metrics_.Describe("rapport_activity_folds_total", "Fold transactions.");
  metrics_.Describe("rapport_activities_folded_total", "Activities folded.");
  thread_ = std::thread([this] { Loop(); });
}

Folder::~Folder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

int64_t Folder::FoldChunk() {
  auto folded = activities_.Fold(options_.chunk);
  if (!folded) {
    log::Warn("folding activities failed", {{"error", folded.error().message()}});
    return 0;
  }
  metrics_.Add("rapport_activity_folds_total", {});
  metrics_.Add("rapport_activities_folded_total", {}, static_cast<double>(*folded));
  return *folded;
}

void Folder::Loop() {
  if (Status s = activities_.CountUnfolded(); !s.ok())
    log::Warn("counting unfolded activities failed", {{"error", s.message()}});
  // The write count at the last poll, and when everything was last folded (never: what an
  // earlier run left unfolded is folded at the first pause).
  uint64_t seen = activities_.writes();
  uint64_t drained = std::numeric_limits<uint64_t>::max();
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    const uint64_t writes = activities_.writes();
    bool again = false;
    if (activities_.unfolded_estimate() >= options_.threshold) {
      again = FoldChunk() > 0;
    } else if (writes == seen && writes != drained) {
      // A pause: fold everything; a fold that finds nothing ends it.
      again = FoldChunk() > 0;
      if (!again) drained = writes;
    }
    seen = writes;
    metrics_.SetGauge("rapport_activities_unfolded", {},
                      static_cast<double>(activities_.unfolded_estimate()));
    lock.lock();
    if (!again) cv_.wait_for(lock, options_.poll, [&] { return stop_; });
  }
}

}  // namespace rapport::activity
