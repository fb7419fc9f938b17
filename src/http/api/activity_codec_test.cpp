#include "http/api/activity_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/api/handler_util.h"

namespace rapport::http::api {
namespace {

// What GET .../timeline wrote before TimelinePageWriter: a tree per activity, then Page().
std::string ReferencePage(const std::vector<activity::Activity>& page,
                          const std::optional<std::string>& next_cursor) {
  boost::json::array data;
  for (const auto& a : page) data.push_back(EncodeActivity(a));
  return Page(std::move(data), next_cursor).body;
}

activity::ActivityView ViewOf(const activity::Activity& a) {
  activity::ActivityView v;
  v.id = a.id.value;
  v.contact_id = a.contact_id;
  v.company_id = a.company_id;
  v.author_id = a.author_id;
  v.type = a.type;
  v.channel = a.channel;
  v.occurred_at = a.occurred_at;
  v.recorded_at = a.recorded_at;
  if (a.amount) {
    v.amount = a.amount->value;
    v.currency = a.amount->currency;
  }
  v.properties = a.properties;
  if (a.source) v.source = *a.source;
  if (a.client_id) v.client_id = *a.client_id;
  return v;
}

std::string Written(const std::vector<activity::Activity>& page,
                    const std::optional<std::string>& next_cursor) {
  TimelinePageWriter w(page.size());
  for (const auto& a : page) {
    Status s = w.Add(ViewOf(a));
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return std::move(w).Finish(next_cursor);
}

std::vector<activity::Activity> OddActivities() {
  std::vector<activity::Activity> out;
  const char* properties[] = {
      "{}",
      R"({"a":"é ü 中文 😀","b":"quote\" back\\ slash / tab\t nl\n ctl\u0001 del)"
      "\x7f"
      R"("})",
      R"({ "n" : 1.5e10, "m": -0.0, "big": 12345678901234567, "f": 0.1, "t": true,)"
      R"( "z": null, "arr": [1, "x", {"deep": [[]]}], "u": 18446744073709551615 })",
      R"({"dup":1,"dup":2,"esc":"\u00e9\ud83d\ude00\/"})",
  };
  for (int i = 0; i < 24; ++i) {
    activity::Activity a;
    a.id = activity::ActivityId(1000 + i);
    if (i % 5 != 0) a.contact_id = 7 + i;
    if (i % 3 == 0) a.company_id = 40 + i;
    if (i % 7 == 0) a.author_id = -3;
    a.type = i % 2 ? "purchase" : "custom \"t\"\u00e9";
    a.channel = i % 4 ? "store" : std::string("ch\x01\x1f\b\f\r", 7);
    a.occurred_at = 1700000000LL * kMicrosPerSecond + i * 123457;
    a.recorded_at = -86400000001LL + i * 1000;
    if (i % 2) a.amount = activity::Money{i % 4 ? 199900 + i : -5, i % 6 ? "EUR" : "X\"Y"};
    a.properties = properties[i % 4];
    if (i % 3 != 1) a.source = i % 2 ? "bench" : "s\\rc \"q\"";
    if (i % 4 == 2) a.client_id = "cid-" + std::to_string(i) + "\u2028";
    out.push_back(a);
  }
  return out;
}

TEST(TimelinePageWriterTest, WritesWhatPageOfEncodeActivityWrote) {
  auto all = OddActivities();
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, all.size()}) {
    std::vector<activity::Activity> page(all.begin(), all.begin() + static_cast<long>(n));
    for (const auto& cursor :
         {std::optional<std::string>(), std::optional<std::string>("MXwtb2NjdXJyZWRfYXQ")}) {
      EXPECT_EQ(Written(page, cursor), ReferencePage(page, cursor)) << n;
    }
  }
}

TEST(TimelinePageWriterTest, MalformedStoredPropertiesAreAnInternalError) {
  activity::Activity a = OddActivities()[0];
  a.properties = "{\"open\":";
  TimelinePageWriter w(1);
  Status s = w.Add(ViewOf(a));
  EXPECT_EQ(s.code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace rapport::http::api
