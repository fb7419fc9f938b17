// Folds activities in the background (ActivityService::Fold): while many are unfolded, chunk
// after chunk; and, once no activity has come in for a poll period, all of them, so that
// the 360° view of a contact reads its aggregates and few unfolded rows.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "activity/activity.h"
#include "common/metrics.h"

namespace rapport::activity {

struct FolderOptions {
  // Fold without waiting for a pause once this many activities are unfolded. A sweep over
  // n unfolded activities rewrites about min(n, its pages) pages of the contact index and
  // the aggregate tables, so larger sweeps write less per activity; readers add up a
  // contact's unfolded rows, and every import commit rewrites the unfolded index's pages.
  int64_t threshold = 200'000;
  // Activities per fold transaction: what a concurrent write may wait behind (about half a
  // second at 50,000).
  int64_t chunk = 50'000;
  std::chrono::milliseconds poll{100};
};

class Folder {
 public:
  // Starts folding; `metrics` gets rapport_activities_unfolded and the fold counters.
  Folder(ActivityService& activities, Metrics& metrics, FolderOptions options = {});
  // Stops after the fold in progress, if any.
  ~Folder();
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;

 private:
  void Loop();
  // Folds one chunk; returns how many activities it folded (0 after an error, logged).
  int64_t FoldChunk();

  ActivityService& activities_;
  Metrics& metrics_;
  FolderOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace rapport::activity
