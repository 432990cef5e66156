// libFuzzer target: every unary method of the API, fed arbitrary bytes as
// its request, through the whole server (gRPC parsing, the gatekeeper, the
// handler, the domain, a real RocksDB in a temporary directory that
// persists across inputs, so that later inputs meet the state earlier ones
// made). An input is a method number (first byte, modulo the method count)
// and the request's bytes. Any answer is fine; a crash, a sanitizer report
// or a hang is a finding.
//
// JOBTRACK_FUZZ_WRITE_SEEDS=DIR writes the seed corpus (valid requests of
// the common methods) into DIR and exits; tests/fuzz/corpus/requests holds
// its output.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "services/server/server.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace {

constexpr const char* kServices[] = {
    "AdminService",    "AgreementService",   "AuditService",
    "EmployerService", "FollowUpService",    "MatchingService",
    "ModuleService",   "ParticipantService", "ParticipationService",
    "SupplierService", "TrackService",
};

struct Target {
  jobtrack::testing::TestEnv env;
  std::unique_ptr<jobtrack::Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::vector<const google::protobuf::MethodDescriptor*> methods;

  Target() {
    absl::Status s =
        jobtrack::testing::StartInProcessServer(env.deps(), &server, &channel);
    if (!s.ok()) {
      std::cerr << "cannot start the server: " << s << "\n";
      std::abort();
    }
    for (const char* name : kServices) {
      const auto* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              absl::StrCat("jobtrack.v1.", name));
      if (service == nullptr) std::abort();
      for (int i = 0; i < service->method_count(); ++i) {
        const auto* m = service->method(i);
        if (!m->client_streaming() && !m->server_streaming()) {
          methods.push_back(m);
        }
      }
    }
  }

  void Call(const google::protobuf::MethodDescriptor* method,
            const uint8_t* data, size_t size) {
    (void)jobtrack::testing::CallWithBytes(
        channel,
        absl::StrCat("/", method->service()->full_name(), "/", method->name()),
        std::string(reinterpret_cast<const char*>(data), size));
  }
};

Target& TheTarget() {
  static Target* target = [] {
    auto* target = new Target;
    jobtrack::testing::RemoveAtExit(target->env.data_dir());
    return target;
  }();
  return *target;
}

// Valid requests for the seed corpus: method, text format.
const std::pair<const char*, const char*> kSeeds[] = {
    {"ModuleService.CreateModule",
     R"(module { display_name: "Svenska för vården" education_form: KOMVUX
                 length_weeks: 10 hours_per_week: 20 ssyk_codes: "5321" })"},
    {"EmployerService.CreateEmployer",
     R"(employer { display_name: "Lager AB" organisation_number: "5566778899"
                   sector: PRIVATE sni_code: "52100" municipality_code: "0180" })"},
    {"SupplierService.CreateSupplier",
     R"(supplier { display_name: "Utbildning AB"
                   organisation_number: "5566771234" municipality_codes: "0180" })"},
    {"AgreementService.CreateAgreement",
     R"(agreement { display_name: "Stockholm" municipality_codes: "0180"
                    valid_from { year: 2025 month: 1 day: 1 } })"},
    {"TrackService.CreateTrack",
     R"(track { display_name: "Lagerarbetare" kind: EMPLOYER_DIRECTED
                ssyk_code: "4322" sni_code: "52100" municipality_codes: "0180"
                employers: "employers/e1" status: OPEN
                chain { stages { steps { module: "modules/m1" } } } }
        effective_date { year: 2026 month: 11 day: 2 })"},
    {"TrackService.CreateIntake",
     R"(parent: "tracks/t1" intake { display_name: "Vår" start_type: COMMON
        seats: 12 start_date { year: 2027 month: 1 day: 18 } })"},
    {"TrackService.ListTracks",
     R"(page_size: 10 filter: "municipality = 0180")"},
    {"TrackService.UpdateTrack",
     R"(track { name: "tracks/t1" display_name: "Ny" }
        update_mask { paths: "display_name" })"},
    {"ParticipantService.CreateParticipant",
     R"(participant { external_reference: "x" personnummer: "199001011239"
                      birth_year: 1990 gender: FEMALE municipality_code: "0180"
                      education_level: UPPER_SECONDARY target_groups: YOUNG })"},
    {"ParticipationService.ProposeParticipation",
     R"(participant: "participants/p1" track: "tracks/t1"
        effective_date { year: 2026 month: 11 day: 2 })"},
    {"ParticipationService.EnrollParticipation",
     R"(name: "participations/x" intake: "tracks/t1/intakes/i1"
        start_date { year: 2026 month: 11 day: 16 })"},
    {"ParticipationService.CorrectParticipationEvent",
     R"(name: "participations/x" event_sequence: 3
        replacement { completed { } })"},
    {"MatchingService.ProposeTracks",
     R"(participant: "participants/p1" limit: 5)"},
    {"FollowUpService.GetReport",
     R"(as_of { year: 2026 month: 10 day: 31 }
        scope { municipality_codes: "0180" })"},
};

void WriteSeeds(const std::string& dir) {
  Target& target = TheTarget();
  google::protobuf::DynamicMessageFactory factory;
  int n = 0;
  for (const auto& [method, text] : kSeeds) {
    const auto* m =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrCat("jobtrack.v1.", method));
    if (m == nullptr) std::abort();
    std::unique_ptr<google::protobuf::Message> request(
        factory.GetPrototype(m->input_type())->New());
    if (!google::protobuf::TextFormat::ParseFromString(text, request.get())) {
      std::cerr << "bad seed " << method << "\n";
      std::abort();
    }
    size_t index = 0;
    while (target.methods[index] != m) ++index;
    std::string bytes(1, static_cast<char>(index));
    bytes += request->SerializeAsString();
    std::ofstream(absl::StrCat(dir, "/", method), std::ios::binary) << bytes;
    ++n;
  }
  std::cout << "wrote " << n << " seeds to " << dir << "\n";
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("JOBTRACK_FUZZ_WRITE_SEEDS")) {
    WriteSeeds(dir);
    std::exit(0);
  }
  TheTarget();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Target& target = TheTarget();
  target.Call(target.methods[data[0] % target.methods.size()], data + 1,
              size - 1);
  return 0;
}
