#include <cstdio>
#include <map>

#include "app/app.h"
#include "demo/generator.h"

namespace rapport::app {
namespace {

template <typename T>
Field<T> Value(T v) {
  return std::optional<T>(std::move(v));
}

Field<std::string> OptionalText(const std::string& v) {
  if (v.empty()) return std::nullopt;
  return Value(v);
}

}  // namespace

int Demo(const DemoOptions& options) {
  auto opened = OpenApp(options.data_dir);
  if (!opened) {
    std::fprintf(stderr, "rapport demo: %s\n", opened.error().message().c_str());
    return 1;
  }
  App& app = **opened;
  demo::DemoGenerator gen(options.seed);
  int64_t company_count = options.companies >= 0 ? options.companies : std::max<int64_t>(1, options.contacts / 20);

  std::map<int, int64_t> company_ids;  // generator index -> stored id
  int64_t companies_created = 0, companies_skipped = 0;
  for (int i = 0; i < company_count; ++i) {
    demo::DemoCompany dc = gen.NextCompany();
    accounts::CompanyFields f;
    f.name = Value(dc.name);
    f.domain = Value(dc.domain);
    f.industry = OptionalText(dc.industry);
    f.country = Value(dc.country);
    f.relationship = Value(dc.relationship);
    f.size = Value(dc.size);
    auto c = app.companies->Create(kDefaultWorkspace, f);
    if (c) {
      company_ids[i] = c->id.value;
      ++companies_created;
    } else if (c.error().code() == StatusCode::kAlreadyExists && c.error().conflicting_id) {
      company_ids[i] = *c.error().conflicting_id;  // a rerun with the same seed reuses it
      ++companies_skipped;
    } else {
      std::fprintf(stderr, "rapport demo: company %d: %s\n", i, c.error().message().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "demo: %lld companies created, %lld already there\n",
               static_cast<long long>(companies_created), static_cast<long long>(companies_skipped));

  int64_t created = 0, skipped = 0;
  for (int64_t done = 0; done < options.contacts;) {
    int64_t n = std::min<int64_t>(contacts::kMaxBatch, options.contacts - done);
    std::vector<contacts::ContactFields> batch;
    batch.reserve(n);
    for (int64_t i = 0; i < n; ++i) {
      demo::DemoContact dc = gen.NextContact(static_cast<int>(company_count));
      contacts::ContactFields f;
      f.email = Value(dc.email);
      f.phone = OptionalText(dc.phone);
      f.first_name = Value(dc.first_name);
      f.last_name = Value(dc.last_name);
      f.birthday = OptionalText(dc.birthday);
      f.timezone = OptionalText(dc.timezone);
      f.lifecycle_stage = Value(dc.lifecycle_stage);
      f.source = OptionalText(dc.source);
      f.external_id = OptionalText(dc.external_id);
      if (dc.company_index >= 0 && company_ids.count(dc.company_index)) {
        f.company_id = Value<int64_t>(company_ids[dc.company_index]);
      }
      if (!dc.tags.empty()) f.tags = dc.tags;
      batch.push_back(std::move(f));
    }
    auto results = app.contacts->CreateBatch(kDefaultWorkspace, batch);
    if (!results) {
      std::fprintf(stderr, "rapport demo: %s\n", results.error().message().c_str());
      return 1;
    }
    for (const auto& r : *results) {
      if (r) {
        ++created;
      } else if (r.error().code() == StatusCode::kAlreadyExists) {
        ++skipped;
      } else {
        std::fprintf(stderr, "rapport demo: contact rejected: %s\n", r.error().message().c_str());
        return 1;
      }
    }
    done += n;
    std::fprintf(stderr, "\rdemo: %lld/%lld contacts", static_cast<long long>(done),
                 static_cast<long long>(options.contacts));
  }
  std::fprintf(stderr, "\ndemo: %lld contacts created, %lld already there\n", static_cast<long long>(created),
               static_cast<long long>(skipped));
  app.store->Close();
  return 0;
}

}  // namespace rapport::app
