#include "services/audit/audit_entry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jobtrack/v1/matching.pb.h"

namespace jobtrack {
namespace {

std::vector<std::string> Resources(const v1::AuditEvent& entry) {
  return {entry.resources().begin(), entry.resources().end()};
}

CallContext Call() {
  CallContext call;
  call.principal = "officer";
  call.method = "ProposeTracks";
  return call;
}

TEST(AuditEntryTest, NamesEachResourceOnceInTheOrderFirstMet) {
  v1::ProposeTracksRequest request;
  request.set_participant("participants/p1");
  v1::ProposeTracksResponse response;
  for (const char* track : {"tracks/t1", "tracks/t2", "tracks/t1"}) {
    v1::Proposal& proposal = *response.add_proposals();
    proposal.set_track(track);
    proposal.set_intake(absl::StrCat(track, "/intakes/i1"));
    // Free text and factor names are not resource names.
    v1::FactorContribution& factor = *proposal.add_factors();
    factor.set_factor("geography");
    factor.set_reason("tracks/t9 is near participants/p1");
  }
  const v1::AuditEvent entry =
      AuditEntryFor(Call(), request, &response, absl::OkStatus());
  EXPECT_EQ(Resources(entry),
            (std::vector<std::string>{"participants/p1", "tracks/t1",
                                      "tracks/t1/intakes/i1", "tracks/t2",
                                      "tracks/t2/intakes/i1"}));
  EXPECT_FALSE(entry.resources_truncated());
  EXPECT_EQ(entry.principal(), "officer");
  EXPECT_EQ(entry.method(), "ProposeTracks");
  EXPECT_EQ(entry.result(), "OK");
}

TEST(AuditEntryTest, AFailedCallNamesOnlyWhatItsRequestNamed) {
  v1::ProposeTracksRequest request;
  request.set_participant("participants/p1");
  v1::ProposeTracksResponse response;
  response.add_proposals()->set_track("tracks/t1");
  const v1::AuditEvent entry = AuditEntryFor(
      Call(), request, nullptr, absl::FailedPreconditionError("enrolled"));
  EXPECT_EQ(Resources(entry), std::vector<std::string>{"participants/p1"});
  EXPECT_EQ(entry.result(), "FAILED_PRECONDITION");
}

TEST(AuditEntryTest, StopsAtTheLimitAndSaysSo) {
  v1::ProposeTracksRequest request;
  v1::ProposeTracksResponse response;
  for (int i = 0; i < kMaxAuditedResources + 10; ++i) {
    // Each name twice: repeats do not count towards the limit.
    response.add_proposals()->set_track(absl::StrCat("tracks/t", i));
    response.add_proposals()->set_track(absl::StrCat("tracks/t", i));
  }
  const v1::AuditEvent entry =
      AuditEntryFor(Call(), request, &response, absl::OkStatus());
  ASSERT_EQ(entry.resources_size(), kMaxAuditedResources);
  EXPECT_EQ(entry.resources(0), "tracks/t0");
  EXPECT_EQ(entry.resources(kMaxAuditedResources - 1),
            absl::StrCat("tracks/t", kMaxAuditedResources - 1));
  EXPECT_TRUE(entry.resources_truncated());
}

}  // namespace
}  // namespace jobtrack
