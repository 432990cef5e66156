#include "clients/ctl/csv_import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/ctl/csv_rows.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/resource.h"

namespace jobtrack::ctl {
namespace {

// What became of a row.
enum class Outcome { kCreated, kPresent, kRejected };

struct RowResult {
  Outcome outcome = Outcome::kRejected;
  std::string reason;
};

// A refusal as one line: the message, and the fields a BadRequest names.
std::string Reason(const absl::Status& status) {
  std::string reason = absl::StrCat(absl::StatusCodeToString(status.code()),
                                    ": ", status.message());
  if (auto details = status.GetPayload(client::kDetailsPayloadUrl)) {
    google::rpc::Status rpc;
    if (rpc.ParseFromString(std::string(*details))) {
      for (const auto& any : rpc.details()) {
        google::rpc::BadRequest bad;
        if (!any.UnpackTo(&bad)) continue;
        std::vector<std::string> fields;
        for (const auto& v : bad.field_violations()) {
          fields.push_back(absl::StrCat(v.field(), " ", v.description()));
        }
        if (!fields.empty()) reason = absl::StrJoin(fields, "; ");
      }
    }
  }
  return reason;
}

// A request_id made from the request itself (a UUID of its SHA-256), so
// that the same row always carries the same id.
// A create answered with a resource made before this run began was a
// replay of an earlier run's request (same request_id): nothing new. This
// compares the server's clock with ours: with clocks apart by more than the
// time to the first rows, those rows would be miscounted (never
// duplicated).
bool MadeBefore(const google::protobuf::Timestamp& created, absl::Time start) {
  return absl::FromUnixSeconds(created.seconds()) +
             absl::Nanoseconds(created.nanos()) <
         start;
}

template <typename Request>
void StampRequestId(Request& request) {
  request.clear_request_id();
  const std::string digest = DeterministicDigest(request, "request_id");
  const auto byte = [&](int i) {
    return static_cast<unsigned char>(digest[static_cast<size_t>(i)]);
  };
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    unsigned char b = byte(i);
    if (i == 6) b = static_cast<unsigned char>((b & 0x0F) | 0x50);  // v5.
    if (i == 8) b = static_cast<unsigned char>((b & 0x3F) | 0x80);
    absl::StrAppendFormat(&hex, "%02x", b);
    if (i == 3 || i == 5 || i == 7 || i == 9) hex += '-';
  }
  request.set_request_id(hex);
}

// One run of an import: the connection, when it began, and what it has
// looked up (employers by organisation number, modules by name, tracks by
// municipality), each read from the server once and kept up to date with
// what the run itself creates.
class ImportRun {
 public:
  explicit ImportRun(client::Client& client)
      : client_(client), start_(absl::Now()) {}

  client::Client& client() { return client_; }
  absl::Time start() const { return start_; }

  // The employer with organisation number `number` (and display name
  // `name`, if given); "" if none.
  absl::StatusOr<std::string> EmployerByNumber(absl::string_view number,
                                               absl::string_view name = "") {
    auto it = employers_.find(number);
    if (it == employers_.end()) {
      v1::ListEmployersRequest list;
      list.set_filter(absl::StrCat("organisation_number = \"", number, "\""));
      list.set_page_size(1000);
      absl::StatusOr<v1::ListEmployersResponse> found =
          client_.Call(&v1::EmployerService::Stub::ListEmployers, list);
      std::vector<v1::Employer> employers;
      // Not a valid organisation number: no employer has it.
      if (!found.ok() && !absl::IsInvalidArgument(found.status())) {
        return found.status();
      }
      if (found.ok()) {
        employers.assign(found->employers().begin(), found->employers().end());
      }
      it = employers_.emplace(std::string(number), std::move(employers)).first;
    }
    for (const v1::Employer& e : it->second) {
      if (name.empty() || e.display_name() == name) return e.name();
    }
    return std::string();
  }
  void Created(const v1::Employer& employer) {
    employers_[employer.organisation_number()].push_back(employer);
  }

  // The module whose display name is `display_name` ("" if none).
  absl::StatusOr<std::string> ModuleNamed(absl::string_view display_name) {
    if (!modules_loaded_) {
      v1::ListModulesRequest list;
      list.set_page_size(1000);
      do {
        absl::StatusOr<v1::ListModulesResponse> page =
            client_.Call(&v1::ModuleService::Stub::ListModules, list);
        if (!page.ok()) return page.status();
        for (const v1::Module& m : page->modules()) {
          modules_.emplace(m.display_name(), m.name());
        }
        list.set_page_token(page->next_page_token());
      } while (!list.page_token().empty());
      modules_loaded_ = true;
    }
    auto it = modules_.find(display_name);
    return it == modules_.end() ? std::string() : it->second;
  }

  // The tracks usable in `municipality` (none if they cannot be read).
  const std::vector<v1::Track>& TracksIn(const std::string& municipality) {
    auto it = tracks_.find(municipality);
    if (it != tracks_.end()) return it->second;
    std::vector<v1::Track>& tracks = tracks_[municipality];
    v1::ListTracksRequest list;
    list.set_filter(absl::StrCat("municipality = \"", municipality, "\""));
    list.set_page_size(1000);
    absl::StatusOr<v1::ListTracksResponse> found =
        client_.Call(&v1::TrackService::Stub::ListTracks, list);
    if (found.ok())
      tracks.assign(found->tracks().begin(), found->tracks().end());
    return tracks;
  }
  void Created(const v1::Track& track) {
    for (const std::string& m : track.municipality_codes()) {
      if (auto it = tracks_.find(m); it != tracks_.end()) {
        it->second.push_back(track);
      }
    }
  }

 private:
  client::Client& client_;
  const absl::Time start_;
  std::map<std::string, std::vector<v1::Employer>, std::less<>> employers_;
  bool modules_loaded_ = false;
  std::map<std::string, std::string, std::less<>> modules_;
  std::map<std::string, std::vector<v1::Track>> tracks_;
};

RowResult ImportEmployer(ImportRun& run, const std::vector<std::string>& header,
                         const CsvRow& row) {
  v1::CreateEmployerRequest request;
  if (absl::Status s = FillFromRow(header, row, {}, request.mutable_employer());
      !s.ok()) {
    return {Outcome::kRejected, std::string(s.message())};
  }
  const v1::Employer& e = request.employer();
  if (!e.organisation_number().empty()) {
    absl::StatusOr<std::string> existing =
        run.EmployerByNumber(e.organisation_number(), e.display_name());
    if (existing.ok() && !existing->empty()) return {Outcome::kPresent, ""};
  }
  StampRequestId(request);
  absl::StatusOr<v1::Employer> made =
      run.client().Call(&v1::EmployerService::Stub::CreateEmployer, request);
  if (!made.ok()) return {Outcome::kRejected, Reason(made.status())};
  run.Created(*made);
  if (MadeBefore(made->create_time(), run.start())) {
    return {Outcome::kPresent, ""};
  }
  return {Outcome::kCreated, ""};
}

RowResult ImportParticipant(ImportRun& run,
                            const std::vector<std::string>& header,
                            const CsvRow& row) {
  v1::CreateParticipantRequest request;
  if (absl::Status s =
          FillFromRow(header, row, {}, request.mutable_participant());
      !s.ok()) {
    return {Outcome::kRejected, std::string(s.message())};
  }
  StampRequestId(request);
  absl::StatusOr<v1::Participant> made = run.client().Call(
      &v1::ParticipantService::Stub::CreateParticipant, request);
  // The same personnummer is already registered: this row is in.
  if (absl::IsAlreadyExists(made.status())) return {Outcome::kPresent, ""};
  if (!made.ok()) return {Outcome::kRejected, Reason(made.status())};
  if (MadeBefore(made->create_time(), run.start())) {
    return {Outcome::kPresent, ""};
  }
  return {Outcome::kCreated, ""};
}

RowResult ImportTrack(ImportRun& run, const std::vector<std::string>& header,
                      const CsvRow& row) {
  v1::CreateTrackRequest request;
  const std::set<std::string> special = {"employer_organisation_numbers",
                                         "modules", "effective_date",
                                         "intake_start_date", "intake_seats"};
  v1::CreateIntakeRequest intake;  // Made after the track, if asked for.
  if (absl::Status s =
          FillFromRow(header, row, special, request.mutable_track());
      !s.ok()) {
    return {Outcome::kRejected, std::string(s.message())};
  }
  v1::Track& track = *request.mutable_track();
  for (size_t i = 0; i < header.size(); ++i) {
    const absl::string_view value = absl::StripAsciiWhitespace(row.cells[i]);
    if (value.empty()) continue;
    if (header[i] == "employer_organisation_numbers") {
      for (absl::string_view number : absl::StrSplit(value, ';')) {
        number = absl::StripAsciiWhitespace(number);
        absl::StatusOr<std::string> employer = run.EmployerByNumber(number);
        if (!employer.ok())
          return {Outcome::kRejected, Reason(employer.status())};
        if (employer->empty()) {
          return {Outcome::kRejected,
                  absl::StrCat("column employer_organisation_numbers: no "
                               "employer has organisation number ",
                               number)};
        }
        track.add_employers(*employer);
      }
    } else if (header[i] == "modules") {
      // Stages separated by ";", parallel steps within one by "+"; each a
      // `modules/{id}` or a catalogue module's display name.
      for (absl::string_view stage : absl::StrSplit(value, ';')) {
        auto* s = track.mutable_chain()->add_stages();
        for (absl::string_view step : absl::StrSplit(stage, '+')) {
          step = absl::StripAsciiWhitespace(step);
          std::string module(step);
          if (!absl::StartsWith(step, "modules/")) {
            absl::StatusOr<std::string> named = run.ModuleNamed(step);
            if (!named.ok())
              return {Outcome::kRejected, Reason(named.status())};
            if (named->empty()) {
              return {Outcome::kRejected,
                      absl::StrCat("column modules: no module is called `",
                                   step, "`")};
            }
            module = *named;
          }
          s->add_steps()->set_module(module);
        }
      }
    } else if (header[i] == "intake_start_date" ||
               header[i] == "intake_seats") {
      const std::string field =
          header[i] == "intake_seats" ? "seats" : "start_date";
      const CsvRow one{row.line, {std::string(value)}};
      if (absl::Status s =
              FillFromRow({field}, one, {}, intake.mutable_intake());
          !s.ok()) {
        return {Outcome::kRejected,
                absl::StrCat("column ", header[i], ": ", s.message())};
      }
    } else if (header[i] == "effective_date") {
      v1::CreateTrackRequest dated;
      const CsvRow one{row.line, {std::string(value)}};
      if (absl::Status s = FillFromRow({"effective_date"}, one, {}, &dated);
          !s.ok()) {
        return {Outcome::kRejected, std::string(s.message())};
      }
      *request.mutable_effective_date() = dated.effective_date();
    }
  }
  // Present: a track of that name usable in the same municipalities.
  if (!track.municipality_codes().empty()) {
    for (const v1::Track& t : run.TracksIn(track.municipality_codes(0))) {
      if (t.display_name() == track.display_name() &&
          std::equal(t.municipality_codes().begin(),
                     t.municipality_codes().end(),
                     track.municipality_codes().begin(),
                     track.municipality_codes().end())) {
        return {Outcome::kPresent, ""};
      }
    }
  }
  StampRequestId(request);
  absl::StatusOr<v1::Track> made =
      run.client().Call(&v1::TrackService::Stub::CreateTrack, request);
  if (!made.ok()) return {Outcome::kRejected, Reason(made.status())};
  run.Created(*made);
  if (MadeBefore(made->create_time(), run.start())) {
    return {Outcome::kPresent, ""};
  }
  if (intake.intake().has_start_date() || intake.intake().seats() > 0) {
    intake.set_parent(made->name());
    intake.mutable_intake()->set_display_name("Första intaget");
    intake.mutable_intake()->set_start_type(v1::Intake::COMMON);
    StampRequestId(intake);
    absl::Status s = run.client()
                         .Call(&v1::TrackService::Stub::CreateIntake, intake)
                         .status();
    if (!s.ok()) {
      return {Outcome::kRejected,
              absl::StrCat("the track ", made->name(),
                           " was created, its intake was not: ", Reason(s))};
    }
  }
  return {Outcome::kCreated, ""};
}

void DrawProgress(std::ostream& progress, absl::string_view kind, int done,
                  int total, int rejected) {
  constexpr int kWidth = 30;
  const int filled = total == 0 ? kWidth : done * kWidth / total;
  progress << "\rimporting " << kind << " ["
           << std::string(static_cast<size_t>(filled), '#')
           << std::string(static_cast<size_t>(kWidth - filled), ' ') << "] "
           << done << "/" << total;
  if (rejected > 0) progress << ", " << rejected << " rejected";
  progress.flush();
}

}  // namespace

const char kImportColumnsHelp[] =
    R"(Columns (a header row names them; any order; empty cells are unset):
  employers:    display_name,organisation_number,sector,sni_code,municipality_code
  participants: external_reference,personnummer,birth_year,gender,
                municipality_code,education_level,sun_code,target_groups,
                swedish_level,driving_licence,ssyk_interests,sni_interests,
                self_employment_interest,available_from,supplier
  tracks:       display_name,description,kind,ssyk_code,sni_code,
                municipality_codes,employer_organisation_numbers,agreement,
                status,modules,effective_date,intake_start_date,intake_seats
                (the last two add a common intake to a new track)
Repeated values are separated by ";" (a track's modules: stages by ";",
parallel steps by "+", each `modules/{id}` or a module's display name); enums by name (FEMALE,
UPPER_SECONDARY, EMPLOYER_DIRECTED, ...); dates yyyy-mm-dd.)";

int ImportCsv(client::Client& client, absl::string_view kind,
              const std::string& path, std::ostream& out,
              std::ostream* progress, ImportSummary* summary) {
  RowResult (*import_row)(ImportRun&, const std::vector<std::string>&,
                          const CsvRow&) = nullptr;
  if (kind == "employers") import_row = ImportEmployer;
  if (kind == "participants") import_row = ImportParticipant;
  if (kind == "tracks") import_row = ImportTrack;
  if (import_row == nullptr) {
    out << "error: import takes employers, participants or tracks, not " << kind
        << "\n";
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out << "error: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text.str());
  if (!rows.ok()) {
    out << "error: " << path << ": " << rows.status().message() << "\n";
    return 2;
  }
  if (rows->empty()) {
    out << "error: " << path << " has no header row\n";
    return 2;
  }
  std::vector<std::string> header = (*rows)[0].cells;
  if (!header.empty() && absl::StartsWith(header[0], "\xEF\xBB\xBF")) {
    header[0] = header[0].substr(3);  // A byte-order mark from a spreadsheet.
  }
  ImportRun run(client);
  ImportSummary counts;
  std::vector<std::string> refusals;
  const int total = static_cast<int>(rows->size()) - 1;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    const RowResult result = import_row(run, header, row);
    ++counts.rows;
    switch (result.outcome) {
      case Outcome::kCreated:
        ++counts.created;
        break;
      case Outcome::kPresent:
        ++counts.present;
        break;
      case Outcome::kRejected:
        ++counts.rejected;
        refusals.push_back(
            absl::StrCat("  line ", row.line, ": ", result.reason));
        break;
    }
    if (progress != nullptr) {
      DrawProgress(*progress, kind, counts.rows, total, counts.rejected);
    }
  }
  if (progress != nullptr) *progress << "\n";
  out << path << ": " << counts.rows << " rows: " << counts.created
      << " created, " << counts.present << " already present, "
      << counts.rejected << " rejected\n";
  for (const std::string& r : refusals) out << r << "\n";
  if (summary != nullptr) *summary = counts;
  return counts.rejected == 0 ? 0 : 1;
}

}  // namespace jobtrack::ctl
