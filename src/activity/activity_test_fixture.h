// The fixture of the activity service's tests: a temporary store with five contacts
// (c0..c4@example.com; c4 also has external id ext-4) and the services over it.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "activity/activity.h"
#include "testing/temp_store.h"

namespace rapport::activity {

using rapport::testing::kTestNow;

class ActivityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) {
      contacts::ContactFields f;
      f.email = std::optional<std::string>("c" + std::to_string(i) + "@example.com");
      if (i == 4) f.external_id = std::optional<std::string>("ext-4");
      ids_.push_back(contacts_.Create(ws_, f).value().id.value);
    }
  }
  // Folds every activity, `chunk` per fold (small, so that sweeps resume and start again);
  // returns how many it folded.
  int64_t FoldAll(int64_t chunk = 97) {
    int64_t total = 0;
    for (;;) {
      auto n = activities_.Fold(chunk);
      EXPECT_TRUE(n.has_value()) << n.error().message();
      if (!n || *n == 0) return total;
      total += *n;
    }
  }
  ActivityInput Input(std::string type, int contact = 0) {
    ActivityInput in;
    in.type = std::move(type);
    in.contact_id = ids_[contact];
    return in;
  }

  rapport::testing::TempStore db_;
  FakeClock clock_{kTestNow};
  contacts::ContactService contacts_{db_.store(), clock_};
  ActivityService activities_{db_.store(), clock_, contacts_};
  WorkspaceId ws_ = kDefaultWorkspace;
  std::vector<int64_t> ids_;
};

}  // namespace rapport::activity
