#include "tests/bench/national_dataset.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/common/reference_data.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/bench/synthetic_sweden.h"

namespace jobtrack::bench {
namespace {

const absl::CivilDay kHistoryStart(2017, 1, 1);

// Municipalities outside bench::kPlaces weigh this much each (about a
// third of the people live in them).
constexpr double kOtherWeight = 0.25;

// Industries (SNI detailed code) with their popularity, and an occupation
// (SSYK) each.
struct Industry {
  const char* sni;
  const char* ssyk;
  double weight;
};
constexpr Industry kIndustries[] = {
    {"87301", "5321", 22}, {"86101", "5321", 8}, {"49311", "8332", 10},
    {"52100", "4321", 7},  {"47111", "5223", 9}, {"41200", "7112", 8},
    {"43210", "7412", 3},  {"56100", "5120", 8}, {"25110", "7212", 5},
    {"81210", "9111", 8},  {"85100", "2341", 4}, {"62010", "2512", 3},
    {"49410", "8332", 5}};

// One random stream per (seed, stream, index): the content does not depend
// on which thread generates what.
std::mt19937_64 Stream(uint64_t seed, uint64_t stream, uint64_t index) {
  std::seed_seq seq{static_cast<uint32_t>(seed),
                    static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(stream), static_cast<uint32_t>(index),
                    static_cast<uint32_t>(index >> 32)};
  return std::mt19937_64(seq);
}

int Uniform(std::mt19937_64& r, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(r);
}
bool Chance(std::mt19937_64& r, double p) {
  return std::uniform_real_distribution<double>(0, 1)(r) < p;
}

struct Place {
  std::string code;
  std::string county;
};

// What was generated, for the CSV files.
struct TrackRow {
  int64_t id;
  std::string name;
  v1::Track::Kind kind;
  v1::Track::Status status;
  std::string sni_section;
  std::string ssyk;
  std::vector<std::string> municipalities;
};
struct ParticipationRow {
  int64_t participant;
  int64_t track;
  std::string home;
  absl::CivilDay proposed;
  std::optional<absl::CivilDay> start, end;
  bool completed = false;
  int outcome_end = -1, outcome_90 = -1;  // OutcomeClass or -1.
  absl::CivilDay outcome_end_on, outcome_90_on;
};
struct ParticipantRow {
  v1::Gender gender;
  int birth_year;
  v1::EducationLevel education;
  std::string municipality;
};

const char* KindName(v1::Track::Kind kind) {
  return v1::Track::Kind_Name(kind).c_str();
}

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace

DatasetSize PlannedSize(double scale) {
  DatasetSize size;
  size.tracks = std::llround(500 * std::sqrt(scale));
  size.employers = std::llround(1100 * std::pow(scale, 0.479));
  // 12 000 at scale 1, 2 000 000 at scale 100.
  size.participations = std::llround(12000 * std::pow(scale, 1.111));
  size.participants = size.participations / 2;
  return size;
}

absl::StatusOr<DatasetSize> GenerateNationalDataset(
    const Deps& deps, const DatasetOptions& options) {
  const absl::Time began = absl::Now();
  const DatasetSize planned = PlannedSize(options.scale);
  const CallContext context{.principal = "datagen", .method = "Load"};
  Employers employers(deps);
  Modules modules(deps);
  Tracks tracks(deps);
  Intakes intakes(deps);
  Participants participants(deps);
  Participations participations(deps);

  // --- Geography.
  const ReferenceData& reference = ReferenceData::Get();
  std::vector<Place> places;
  std::vector<double> weights;
  for (const std::string& county : reference.Counties()) {
    for (const std::string& m : reference.MunicipalitiesOf(county)) {
      places.push_back({m, county});
      double weight = kOtherWeight;
      for (const auto& [code, w] : kPlaces) {
        if (m == code) weight = w;
      }
      weights.push_back(weight);
    }
  }
  std::discrete_distribution<int> place(weights.begin(), weights.end());
  std::vector<double> industry_weights;
  for (const Industry& i : kIndustries) industry_weights.push_back(i.weight);
  std::discrete_distribution<int> industry(industry_weights.begin(),
                                           industry_weights.end());

  // --- Modules: twenty, of every education form.
  absl::StatusOr<std::vector<std::string>> module_names =
      CreateModules(modules, context, 20, 20);
  if (!module_names.ok()) return module_names.status();

  // --- Employers, by municipality.
  DatasetSize made;
  std::map<std::string, std::vector<std::string>> employers_in,
      employers_in_county;
  std::vector<std::string> all_employers;
  std::ofstream employer_csv;
  if (!options.csv_dir.empty()) {
    employer_csv.open(options.csv_dir + "/employers.csv");
    employer_csv << "id,sni_code,sector,municipality\n";
  }
  for (int64_t e = 0; e < planned.employers; ++e) {
    std::mt19937_64 r = Stream(options.seed, 1, e);
    const Place& at = places[place(r)];
    const Industry& what = kIndustries[industry(r)];
    v1::Employer employer;
    employer.set_display_name(absl::StrCat("Arbetsgivare ", e));
    employer.set_organisation_number(OrganisationNumber(static_cast<int>(e)));
    employer.set_sector(Chance(r, 0.7)   ? v1::Employer::PRIVATE
                        : Chance(r, 0.7) ? v1::Employer::MUNICIPAL
                                         : v1::Employer::OTHER_PUBLIC);
    employer.set_sni_code(what.sni);
    employer.set_municipality_code(at.code);
    absl::StatusOr<v1::Employer> stored =
        employers.Create(context, employer, "", employer, "");
    if (!stored.ok()) return stored.status();
    employers_in[at.code].push_back(stored->name());
    employers_in_county[at.county].push_back(stored->name());
    all_employers.push_back(stored->name());
    if (employer_csv.is_open()) {
      employer_csv << e << "," << what.sni << ","
                   << v1::Employer::Sector_Name(employer.sector()) << ","
                   << at.code << "\n";
    }
    ++made.employers;
  }

  // --- Tracks: a home municipality (and up to two more of its county),
  // an industry, a kind and a status.
  std::vector<TrackRow> track_rows;
  std::map<std::string, std::vector<int64_t>> tracks_in;
  std::map<std::string, std::vector<int64_t>> tracks_in_county;
  for (int64_t t = 0; t < planned.tracks; ++t) {
    std::mt19937_64 r = Stream(options.seed, 2, t);
    const Place& home = places[place(r)];
    const Industry& what = kIndustries[industry(r)];
    v1::CreateTrackRequest request;
    v1::Track* track = request.mutable_track();
    track->set_display_name(absl::StrCat("Jobbspår ", t));
    const int k = Uniform(r, 0, 9);
    track->set_kind(k < 6   ? v1::Track::EMPLOYER_DIRECTED
                    : k < 9 ? v1::Track::PREPARATORY
                            : v1::Track::OTHER);
    track->set_ssyk_code(what.ssyk);
    track->set_sni_code(what.sni);
    track->add_municipality_codes(home.code);
    const std::vector<std::string> county =
        reference.MunicipalitiesOf(home.county);
    for (int extra = Uniform(r, 0, 2); extra > 0; --extra) {
      const std::string& m = county[Uniform(r, 0, county.size() - 1)];
      if (std::find(track->municipality_codes().begin(),
                    track->municipality_codes().end(),
                    m) == track->municipality_codes().end()) {
        track->add_municipality_codes(m);
      }
    }
    if (track->kind() == v1::Track::EMPLOYER_DIRECTED) {
      // Local employers, else the county's, else anyone.
      const std::vector<std::string>* local = &employers_in[home.code];
      if (local->empty()) local = &employers_in_county[home.county];
      if (local->empty()) local = &all_employers;
      for (int n = Uniform(r, 1, 2); n > 0 && !local->empty(); --n) {
        const std::string& e = (*local)[Uniform(r, 0, local->size() - 1)];
        if (std::find(track->employers().begin(), track->employers().end(),
                      e) == track->employers().end()) {
          track->add_employers(e);
        }
      }
    }
    const int s = Uniform(r, 0, 19);
    track->set_status(s < 15 ? v1::Track::OPEN : v1::Track::PAUSED);
    track->mutable_requirements()->set_driving_licence(std::string(what.ssyk) ==
                                                       "8332");
    auto* stage = track->mutable_chain()->add_stages();
    for (int m = Uniform(r, 1, 3); m > 0; --m) {
      stage->add_steps()->set_module(
          (*module_names)[Uniform(r, 0, module_names->size() - 1)]);
    }
    *request.mutable_effective_date() = ToDate(kHistoryStart);
    absl::StatusOr<v1::Track> stored = tracks.CreateTrack(context, request);
    if (!stored.ok()) return stored.status();
    TrackRow row{t,
                 stored->name(),
                 stored->kind(),
                 stored->status(),
                 reference.SniSection(what.sni),
                 what.ssyk,
                 {stored->municipality_codes().begin(),
                  stored->municipality_codes().end()}};
    for (const std::string& m : row.municipalities) tracks_in[m].push_back(t);
    tracks_in_county[home.county].push_back(t);
    track_rows.push_back(std::move(row));
    ++made.tracks;
  }

  // --- Intakes: rolling, one per track and quarter, made when first
  // needed (under a lock: threads share them).
  absl::Mutex intake_mu;
  std::map<std::pair<int64_t, int>, std::string> intake_of;
  std::atomic<int64_t> intake_count{0};
  auto intake_for = [&](int64_t track,
                        absl::CivilDay day) -> absl::StatusOr<std::string> {
    const int quarter =
        static_cast<int>(day.year()) * 4 + (day.month() - 1) / 3;
    absl::MutexLock lock(&intake_mu);
    auto it = intake_of.find({track, quarter});
    if (it != intake_of.end()) return it->second;
    v1::Intake intake;
    intake.set_start_type(v1::Intake::ROLLING);
    *intake.mutable_start_date() =
        ToDate(absl::CivilDay(day.year(), (quarter % 4) * 3 + 1, 1));
    intake.set_seats(1000);
    absl::StatusOr<v1::Intake> stored =
        intakes.Create(context, intake,
                       track_rows[static_cast<size_t>(track)].name, intake, "");
    if (!stored.ok()) return stored.status();
    ++intake_count;
    return intake_of[{track, quarter}] = stored->name();
  };

  // --- Participants and their participations, split between threads.
  const int64_t people = planned.participants;
  std::vector<ParticipantRow> participant_rows(static_cast<size_t>(people));
  std::vector<std::vector<ParticipationRow>> participation_rows(
      static_cast<size_t>(std::max(1, options.threads)));
  std::atomic<int64_t> participation_count{0};
  absl::Mutex error_mu;
  absl::Status first_error;
  auto fail = [&](const absl::Status& s) {
    absl::MutexLock lock(&error_mu);
    if (first_error.ok()) first_error = s;
  };
  auto failed = [&] {
    absl::MutexLock lock(&error_mu);
    return !first_error.ok();
  };
  const v1::OutcomeKind outcome_kinds[] = {v1::WORK_UNSUBSIDIZED,
                                           v1::WORK_SUBSIDIZED, v1::STUDIES,
                                           v1::OUTCOME_OTHER};
  const std::vector<int64_t> no_tracks;
  auto tracks_of = [&](const std::map<std::string, std::vector<int64_t>>& by,
                       const std::string& key) -> const std::vector<int64_t>& {
    auto it = by.find(key);
    return it == by.end() ? no_tracks : it->second;
  };
  // `where` is the thread's own copy of `place`.
  auto load_person = [&](int64_t i, std::discrete_distribution<int>& where,
                         std::vector<ParticipationRow>& rows) -> absl::Status {
    std::mt19937_64 r = Stream(options.seed, 3, i);
    const Place& home = places[where(r)];
    ParticipantRow& me = participant_rows[static_cast<size_t>(i)];
    me.gender = Chance(r, 0.5) ? v1::FEMALE : v1::MALE;
    me.birth_year = Uniform(r, 1962, 2005);
    const int level = Uniform(r, 0, 9);
    me.education = level < 3   ? v1::PRE_UPPER_SECONDARY
                   : level < 8 ? v1::UPPER_SECONDARY
                               : v1::POST_SECONDARY;
    me.municipality = home.code;
    v1::Participant person;
    person.set_external_reference(absl::StrCat("datagen-", i));
    person.set_birth_year(me.birth_year);
    person.set_gender(me.gender);
    person.set_municipality_code(me.municipality);
    person.set_education_level(me.education);
    absl::StatusOr<v1::Participant> who =
        participants.Create(context, person, "", person, "");
    if (!who.ok()) return who.status();

    // One to three participations in a row (two on average), each after
    // the one before has ended, on tracks usable where they live (else in
    // their county, else anywhere).
    const std::vector<int64_t>* choice = &tracks_of(tracks_in, home.code);
    if (choice->empty()) choice = &tracks_of(tracks_in_county, home.county);
    std::vector<int64_t> everywhere;
    if (choice->empty()) {
      for (int64_t t = 0; t < static_cast<int64_t>(track_rows.size()); ++t) {
        everywhere.push_back(t);
      }
      choice = &everywhere;
    }
    const int count = Uniform(r, 1, 3);
    const int span = static_cast<int>(options.today - kHistoryStart);
    absl::CivilDay from = kHistoryStart + Uniform(r, 0, span * 3 / 4);
    for (int n = 0; n < count && from < options.today; ++n) {
      const int64_t track = (*choice)[Uniform(r, 0, choice->size() - 1)];
      ParticipationRow row;
      row.participant = i;
      row.track = track;
      row.home = home.code;
      row.proposed = from;
      const std::string& track_name =
          track_rows[static_cast<size_t>(track)].name;
      if (Chance(r, 0.1)) {  // Proposed, never acted on.
        v1::ProposeParticipationRequest propose;
        propose.set_participant(who->name());
        propose.set_track(track_name);
        *propose.mutable_effective_date() = ToDate(from);
        if (auto s = participations.Propose(context, propose); !s.ok()) {
          return s.status();
        }
        rows.push_back(row);
        ++participation_count;
        from = from + Uniform(r, 10, 200);
        continue;
      }
      const absl::CivilDay start =
          std::min(options.today - 1, from + Uniform(r, 0, 30));
      absl::StatusOr<std::string> intake = intake_for(track, start);
      if (!intake.ok()) return intake.status();
      absl::StatusOr<std::string> name =
          ProposeSelectEnroll(participations, context, who->name(), track_name,
                              *intake, start, from);
      if (!name.ok()) return name.status();
      row.start = start;
      ++participation_count;
      const absl::CivilDay end = start + Uniform(r, 30, 400);
      if (end >= options.today) {  // Still running.
        rows.push_back(row);
        break;
      }
      row.end = end;
      row.completed = Uniform(r, 0, 5) != 0;
      if (row.completed) {
        v1::CompleteParticipationRequest complete;
        complete.set_name(*name);
        *complete.mutable_end_date() = ToDate(end);
        if (auto s = participations.Complete(context, complete); !s.ok()) {
          return s.status();
        }
      } else {
        v1::InterruptParticipationRequest interrupt;
        interrupt.set_name(*name);
        *interrupt.mutable_end_date() = ToDate(end);
        interrupt.set_reason(Chance(r, 0.5) ? v1::GOT_JOB : v1::ILLNESS);
        if (auto s = participations.Interrupt(context, interrupt); !s.ok()) {
          return s.status();
        }
      }
      for (auto [point, after] :
           {std::pair{v1::AT_END, 1}, std::pair{v1::AFTER_90_DAYS, 90}}) {
        if (end + after >= options.today || Uniform(r, 0, 2) == 0) continue;
        const int kind = row.completed ? Uniform(r, 0, 3) : Uniform(r, 1, 3);
        v1::RecordOutcomeRequest outcome;
        outcome.set_name(*name);
        outcome.set_point(point);
        outcome.set_kind(outcome_kinds[kind]);
        if (outcome.kind() == v1::WORK_SUBSIDIZED) {
          outcome.set_subsidy(v1::LONEBIDRAG);
        }
        *outcome.mutable_effective_date() = ToDate(end + after);
        if (auto s = participations.RecordOutcome(context, outcome); !s.ok()) {
          return s.status();
        }
        (point == v1::AT_END ? row.outcome_end : row.outcome_90) = kind;
        (point == v1::AT_END ? row.outcome_end_on : row.outcome_90_on) =
            end + after;
      }
      rows.push_back(row);
      from = end + Uniform(r, 20, 300);
    }
    return absl::OkStatus();
  };
  std::vector<std::thread> threads;
  const int thread_count = std::max(1, options.threads);
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      std::discrete_distribution<int> where = place;
      for (int64_t i = t; i < people && !failed(); i += thread_count) {
        if (absl::Status s = load_person(i, where, participation_rows[t]);
            !s.ok()) {
          fail(absl::Status(
              s.code(), absl::StrCat("participant ", i, ": ", s.message())));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) return first_error;
  made.participants = people;
  made.participations = participation_count;
  made.intakes = intake_count;

  if (!options.csv_dir.empty()) {
    std::ofstream track_csv(options.csv_dir + "/tracks.csv");
    std::ofstream where_csv(options.csv_dir + "/track_municipalities.csv");
    track_csv << "id,name,kind,status,sni_section,ssyk\n";
    where_csv << "track_id,municipality\n";
    for (const TrackRow& t : track_rows) {
      track_csv << t.id << "," << t.name << "," << KindName(t.kind) << ","
                << v1::Track::Status_Name(t.status) << "," << t.sni_section
                << "," << t.ssyk << "\n";
      for (const std::string& m : t.municipalities) {
        where_csv << t.id << "," << m << "\n";
      }
    }
    std::ofstream people_csv(options.csv_dir + "/participants.csv");
    people_csv << "id,gender,birth_year,education,municipality\n";
    for (size_t i = 0; i < participant_rows.size(); ++i) {
      const ParticipantRow& p = participant_rows[i];
      people_csv << i << "," << v1::Gender_Name(p.gender) << "," << p.birth_year
                 << "," << v1::EducationLevel_Name(p.education) << ","
                 << p.municipality << "\n";
    }
    std::ofstream rows_csv(options.csv_dir + "/participations.csv");
    rows_csv << "id,participant_id,track_id,home_municipality,proposed_on,"
                "start_on,end_on,completed,outcome_end_class,outcome_end_on,"
                "outcome_90_class,outcome_90_on\n";
    int64_t id = 0;
    for (const auto& rows : participation_rows) {
      for (const ParticipationRow& p : rows) {
        rows_csv << id++ << "," << p.participant << "," << p.track << ","
                 << p.home << "," << Day(p.proposed) << ","
                 << (p.start ? Day(*p.start) : "") << ","
                 << (p.end ? Day(*p.end) : "") << ","
                 << (p.end ? (p.completed ? "t" : "f") : "") << ","
                 << (p.outcome_end >= 0 ? absl::StrCat(p.outcome_end) : "")
                 << "," << (p.outcome_end >= 0 ? Day(p.outcome_end_on) : "")
                 << "," << (p.outcome_90 >= 0 ? absl::StrCat(p.outcome_90) : "")
                 << "," << (p.outcome_90 >= 0 ? Day(p.outcome_90_on) : "")
                 << "\n";
      }
    }
  }
  made.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  return made;
}

}  // namespace jobtrack::bench
