// Employers through the domain layer on a real RocksDB: the generic Crud
// behaviour every top-level resource shares.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "storage/keys.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using ::jobtrack::testing::IndexKeysFor;
using ::jobtrack::testing::TestEnv;

constexpr char kRequestId[] = "0b9e1f5c-3d2a-4e8f-9c71-5a6b7c8d9e0f";
const CallContext kContext{.principal = "tester", .method = "CreateEmployer"};

v1::Employer Acme(const std::string& orgnr = "5560360793") {
  v1::Employer e;
  e.set_display_name("Acme Bygg AB");
  e.set_organisation_number(orgnr);
  e.set_sector(v1::Employer::PRIVATE);
  e.set_sni_code("41200");
  e.set_municipality_code("0180");
  return e;
}

std::string IdOf(const std::string& name) {
  return name.substr(name.rfind('/') + 1);
}

size_t ListCount(Employers& employers, const std::string& filter) {
  auto page = employers.List("", 100, "", filter);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? page->first.size() : 0;
}

TEST(CrudTest, CreateThenGetRoundTripsEveryField) {
  TestEnv env;
  Employers employers(env.deps());
  v1::CreateEmployerRequest request;
  *request.mutable_employer() = Acme();
  JT_ASSERT_OK_AND_ASSIGN(v1::Employer created,
                          employers.Create(kContext, request, "", Acme(), ""));
  EXPECT_TRUE(absl::StartsWith(created.name(), "employers/"));
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(created.create_time().seconds(),
            absl::ToUnixSeconds(testing::DefaultTestTime()));
  JT_ASSERT_OK_AND_ASSIGN(v1::Employer got, employers.Get(created.name()));
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(got.organisation_number(), "5560360793");
}

TEST(CrudTest, IndexFollowsUpdatesAndDisappearsOnDelete) {
  TestEnv env;
  Employers employers(env.deps());
  v1::CreateEmployerRequest request;
  JT_ASSERT_OK_AND_ASSIGN(v1::Employer e,
                          employers.Create(kContext, request, "", Acme(), ""));
  EXPECT_EQ(ListCount(employers, "municipality = \"0180\""), 1u);
  EXPECT_EQ(ListCount(employers, "county = \"01\""), 1u);
  EXPECT_EQ(ListCount(employers, "sni = F"), 1u);

  v1::Employer patch;
  patch.set_name(e.name());
  patch.set_municipality_code("1480");
  patch.set_sni_code("86101");
  google::protobuf::FieldMask mask;
  mask.add_paths("municipality_code");
  mask.add_paths("sni_code");
  v1::UpdateEmployerRequest update;
  JT_ASSERT_OK_AND_ASSIGN(v1::Employer updated,
                          employers.Update(kContext, update, patch, mask, ""));
  EXPECT_NE(updated.etag(), e.etag());
  EXPECT_EQ(ListCount(employers, "municipality = \"0180\""), 0u);
  EXPECT_EQ(ListCount(employers, "county = \"01\""), 0u);
  EXPECT_EQ(ListCount(employers, "sni = F"), 0u);
  EXPECT_EQ(ListCount(employers, "municipality = \"1480\""), 1u);
  EXPECT_EQ(ListCount(employers, "sni = Q"), 1u);
  EXPECT_EQ(ListCount(employers, "sni = \"861\""), 1u);

  v1::DeleteEmployerRequest del;
  ASSERT_TRUE(employers.Delete(kContext, del, e.name(), "", "").ok());
  EXPECT_EQ(ListCount(employers, ""), 0u);
  EXPECT_EQ(ListCount(employers, "municipality = \"1480\""), 0u);
  // No index entry or unique entry names the deleted record.
  EXPECT_TRUE(IndexKeysFor(env.storage(), IdOf(e.name())).empty());
  // Its organisation number is free again.
  EXPECT_TRUE(employers.Create(kContext, request, "", Acme(), "").ok());
}

TEST(CrudTest, RetriedCreateWithSameRequestIdMakesOneRecord) {
  TestEnv env;
  Employers employers(env.deps());
  v1::CreateEmployerRequest request;
  *request.mutable_employer() = Acme();
  request.set_request_id(kRequestId);
  JT_ASSERT_OK_AND_ASSIGN(
      v1::Employer first,
      employers.Create(kContext, request, "", Acme(), kRequestId));
  JT_ASSERT_OK_AND_ASSIGN(
      v1::Employer second,
      employers.Create(kContext, request, "", Acme(), kRequestId));
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(ListCount(employers, ""), 1u);
}

TEST(CrudTest, StaleEtagIsAbortedAndChangesNothing) {
  TestEnv env;
  Employers employers(env.deps());
  v1::CreateEmployerRequest request;
  JT_ASSERT_OK_AND_ASSIGN(v1::Employer e,
                          employers.Create(kContext, request, "", Acme(), ""));
  v1::Employer patch;
  patch.set_name(e.name());
  patch.set_display_name("First");
  patch.set_etag(e.etag());
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  v1::UpdateEmployerRequest update;
  ASSERT_TRUE(employers.Update(kContext, update, patch, mask, "").ok());
  patch.set_display_name("Second");  // Still carries the old etag.
  auto stale = employers.Update(kContext, update, patch, mask, "");
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(employers.Get(e.name())->display_name(), "First");
  v1::DeleteEmployerRequest del;
  EXPECT_EQ(
      employers.Delete(kContext, del, e.name(), e.etag(), "").status().code(),
      absl::StatusCode::kAborted);
  EXPECT_TRUE(employers.Get(e.name()).ok());
}

TEST(CrudTest, ReopenKeepsRecordsAndIndexes) {
  TestEnv env;
  std::string name;
  {
    Employers employers(env.deps());
    v1::CreateEmployerRequest request;
    JT_ASSERT_OK_AND_ASSIGN(
        v1::Employer e, employers.Create(kContext, request, "", Acme(), ""));
    name = e.name();
  }
  env.Reopen();
  Employers employers(env.deps());
  EXPECT_TRUE(employers.Get(name).ok());
  EXPECT_EQ(ListCount(employers, "municipality = \"0180\""), 1u);
}

TEST(CrudTest, SoleTraderNumberIsStoredHashedAndNeverReturned) {
  TestEnv env;
  Employers employers(env.deps());
  v1::CreateEmployerRequest request;
  const std::string pnr = "8112189876";
  JT_ASSERT_OK_AND_ASSIGN(
      v1::Employer e, employers.Create(kContext, request, "", Acme(pnr), ""));
  EXPECT_TRUE(e.sole_trader());
  EXPECT_TRUE(e.organisation_number().empty());
  EXPECT_TRUE(employers.Get(e.name())->organisation_number().empty());
  // Duplicates are still found, and a filter by the number still works.
  EXPECT_EQ(employers.Create(kContext, request, "", Acme("811218-9876"), "")
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ListCount(employers, "organisation_number = \"811218-9876\""), 1u);
  // The clear number is nowhere in the database.
  ASSERT_TRUE(env.storage().Flush().ok());
  auto reader = env.storage().Snapshot();
  for (auto column : {storage::Column::kRecords, storage::Column::kIndex,
                      storage::Column::kRequests}) {
    reader
        ->Scan(column, "", "",
               [&](absl::string_view k, absl::string_view v) {
                 EXPECT_EQ(k.find(pnr), absl::string_view::npos);
                 EXPECT_EQ(v.find(pnr), absl::string_view::npos);
                 return true;
               })
        .IgnoreError();
  }
}

TEST(CrudTest, PagesCoverEveryRecordOnce) {
  TestEnv env;
  Employers employers(env.deps());
  v1::CreateEmployerRequest request;
  std::set<std::string> created;
  for (const char* orgnr :
       {"5560360793", "2120000142", "5566778899", "5567000006", "5569101011"}) {
    std::string number = orgnr;
    // Fix up the check digit so the fixture stays readable.
    for (char d = '0'; d <= '9'; ++d) {
      number.back() = d;
      if (LuhnValid(number)) break;
    }
    JT_ASSERT_OK_AND_ASSIGN(
        v1::Employer e,
        employers.Create(kContext, request, "", Acme(number), ""));
    created.insert(e.name());
  }
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = employers.List("", 2, token, "county = \"01\"");
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& e : page->first) EXPECT_TRUE(seen.insert(e.name()).second);
    token = page->second;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 3);
}

}  // namespace
}  // namespace jobtrack
