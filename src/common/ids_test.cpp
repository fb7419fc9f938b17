#include "common/ids.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(IdsTest, ConsecutiveRunsKeepOrderAndSplitAtEveryGap) {
  EXPECT_EQ(ConsecutiveRuns({}), std::vector<IdRun>{});
  std::vector<int64_t> one{7};
  EXPECT_EQ(ConsecutiveRuns(one), (std::vector<IdRun>{{7, 7}}));
  std::vector<int64_t> ids{3, 4, 5, 9, 10, 2, 3, 11};
  EXPECT_EQ(ConsecutiveRuns(ids), (std::vector<IdRun>{{3, 5}, {9, 10}, {2, 3}, {11, 11}}));
  std::vector<int64_t> repeated{4, 4};  // not consecutive: two runs
  EXPECT_EQ(ConsecutiveRuns(repeated), (std::vector<IdRun>{{4, 4}, {4, 4}}));
}

}  // namespace
}  // namespace rapport
