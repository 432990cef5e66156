// ProposeTracks in-process over a synthetic national dataset (issue 4).
//
//   JOBTRACK_BENCH_SCALE=100 build/tests/matching_bench   # 5 000 tracks,
//                                                         # 1 000 000
//                                                         participants
//
// Scale s gives 50·s tracks (1–2 intakes each) and 10 000·s participants,
// spread over 30 municipalities with a realistic skew (the big cities get
// most). Loaded through the same domain code as the API, with the WAL
// unsynced to load faster. Prints the median and p99 of single calls; a
// benchmark, not a test: nothing is asserted about time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/matching/matching.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/bench/bench_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using bench::kPlaces;

constexpr const char* kSsyk[] = {"5321", "8331", "4322", "5120", "9412",
                                 "7111", "5311", "2235", "8344", "5131"};
constexpr const char* kSni[] = {"87301", "49311", "52100", "56100", "56100",
                                "41200", "88101", "86101", "52100", "56100"};

struct Dataset : bench::BenchEnv {
  std::vector<std::string> participants;
  std::unique_ptr<MatchingIndex> index;
  int completed = 0;
  int enrolled = 0;
};

Dataset* Build(int scale) {
  auto* d = new Dataset;
  d->index = *MatchingIndex::Open(d->storage.get());
  std::mt19937 random(42);
  std::discrete_distribution<int> place = bench::PlaceDistribution();
  const CallContext context{.principal = "bench", .method = "Load"};
  Employers employers(d->deps());
  Modules modules(d->deps());
  Tracks tracks(d->deps());
  Intakes intakes(d->deps());
  Participants participants(d->deps());
  Participations participations(d->deps());
  // Municipality -> (track, past intake, current rolling intake).
  struct Usable {
    std::string track, past, current;
    bool current_started;
  };
  std::map<std::string, std::vector<Usable>> usable;

  std::vector<std::string> module_names;
  const v1::EducationForm forms[] = {v1::KOMVUX, v1::AUB, v1::SFI,
                                     v1::WORK_PLACEMENT, v1::FOLKHOGSKOLA};
  for (int i = 0; i < 40; ++i) {
    v1::Module m;
    m.set_display_name(absl::StrCat("Modul ", i));
    m.set_education_form(forms[i % 5]);
    m.set_length_weeks(4 + i % 30);
    m.set_hours_per_week(20 + i % 20);
    module_names.push_back(modules.Create(context, m, "", m, "")->name());
  }
  const int track_count = 50 * scale;
  for (int t = 0; t < track_count; ++t) {
    const int kind = t % 10;
    v1::Employer e;
    e.set_display_name(absl::StrCat("Arbetsgivare ", t));
    e.set_organisation_number(bench::OrganisationNumber(t));
    e.set_sector(v1::Employer::PRIVATE);
    e.set_sni_code(kSni[kind]);
    const char* home = kPlaces[place(random)].first;
    e.set_municipality_code(home);
    const std::string employer =
        employers.Create(context, e, "", e, "")->name();
    v1::CreateTrackRequest request;
    v1::Track* track = request.mutable_track();
    track->set_display_name(absl::StrCat("Spår ", t));
    track->set_kind(v1::Track::EMPLOYER_DIRECTED);
    track->set_ssyk_code(kSsyk[kind]);
    track->set_sni_code(kSni[kind]);
    track->add_municipality_codes(home);
    for (int extra = 0; extra < 2; ++extra) {
      const char* other = kPlaces[place(random)].first;
      if (std::find(track->municipality_codes().begin(),
                    track->municipality_codes().end(),
                    other) == track->municipality_codes().end()) {
        track->add_municipality_codes(other);
      }
    }
    track->add_employers(employer);
    track->set_status(t % 7 == 0 ? v1::Track::PAUSED : v1::Track::OPEN);
    if (t % 4 == 0) track->mutable_requirements()->set_driving_licence(true);
    for (int s = 0; s < 1 + t % 3; ++s) {
      track->mutable_chain()->add_stages()->add_steps()->set_module(
          module_names[(t + s * 7) % module_names.size()]);
    }
    *request.mutable_effective_date() = ToDate(absl::CivilDay(2024, 1, 1));
    const std::string name = tracks.CreateTrack(context, request)->name();
    Usable use{name, "", "", false};
    for (int i = 0; i < 1 + t % 2; ++i) {
      v1::Intake intake;
      intake.set_start_type(i == 0 ? v1::Intake::ROLLING : v1::Intake::COMMON);
      const absl::CivilDay start =
          absl::CivilDay(2026, 11, 1) + 20 * i + t % 60;
      *intake.mutable_start_date() = ToDate(start);
      intake.set_seats(5 + t % 20);
      auto created = intakes.Create(context, intake, name, intake, "");
      if (i == 0) {
        use.current = created->name();
        use.current_started = start <= absl::CivilDay(2026, 11, 23);
      }
    }
    // Last year's intake, where the track's record comes from.
    v1::Intake past;
    past.set_start_type(v1::Intake::COMMON);
    *past.mutable_start_date() = ToDate(absl::CivilDay(2025, 3, 1));
    past.set_seats(1000);
    use.past = intakes.Create(context, past, name, past, "")->name();
    if (t % 7 != 0) {
      for (const std::string& m : track->municipality_codes()) {
        usable[m].push_back(use);
      }
    }
  }
  const int participant_count = 10000 * scale;
  for (int p = 0; p < participant_count; ++p) {
    v1::Participant participant;
    participant.set_external_reference(absl::StrCat("bench-", p));
    participant.set_birth_year(1960 + p % 45);
    participant.set_gender(p % 2 ? v1::FEMALE : v1::MALE);
    participant.set_municipality_code(kPlaces[place(random)].first);
    participant.set_education_level(static_cast<v1::EducationLevel>(1 + p % 3));
    participant.set_swedish_level(static_cast<v1::SwedishLevel>(1 + p % 6));
    participant.set_driving_licence(p % 3 == 0);
    participant.add_ssyk_interests(kSsyk[p % 10]);
    participant.add_sni_interests(
        std::string(kSni[(p / 10) % 10]).substr(0, 2));
    auto created =
        participants.Create(context, participant, "", participant, "");
    // A history: 1 in 10 completed a track last year (half of them with
    // work afterwards); 1 in 40 is enrolled now, holding a seat.
    const std::vector<Usable>& near = usable[participant.municipality_code()];
    const bool completed = p % 10 == 3;
    const bool enrolled = p % 40 == 7;
    if ((completed || enrolled) && !near.empty()) {
      const Usable& use = near[(p / 7) % near.size()];
      if (completed || use.current_started) {
        const absl::CivilDay start = completed
                                         ? absl::CivilDay(2025, 3, 1)
                                         : absl::CivilDay(2026, 11, 23) - 1;
        // Not joined when the intake is full.
        const absl::StatusOr<std::string> joined = ProposeSelectEnroll(
            participations, context, created->name(), use.track,
            completed ? use.past : use.current, start, start);
        if (joined.ok() && completed) {
          v1::CompleteParticipationRequest complete;
          complete.set_name(*joined);
          *complete.mutable_end_date() = ToDate(absl::CivilDay(2025, 9, 1));
          participations.Complete(context, complete).IgnoreError();
          if (p % 20 == 3) {
            v1::RecordOutcomeRequest outcome;
            outcome.set_name(*joined);
            outcome.set_point(v1::AT_END);
            outcome.set_kind(v1::WORK_UNSUBSIDIZED);
            *outcome.mutable_effective_date() =
                ToDate(absl::CivilDay(2025, 9, 1));
            participations.RecordOutcome(context, outcome).IgnoreError();
          }
          ++d->completed;
        } else if (joined.ok()) {
          ++d->enrolled;
          continue;  // Enrolled: matching refuses; not a benchmark subject.
        }
      }
    }
    if (p % 97 == 0) d->participants.push_back(created->name());
  }
  return d;
}

Dataset& Data() {
  // Destroyed at exit, which removes the temporary database.
  static std::unique_ptr<Dataset> data([] {
    const char* env = std::getenv("JOBTRACK_BENCH_SCALE");
    const int scale = env != nullptr ? std::max(1, std::atoi(env)) : 1;
    const absl::Time start = absl::Now();
    Dataset* d = Build(scale);
    std::cerr << "dataset: scale " << scale << ", " << 50 * scale << " tracks, "
              << 10000 * scale << " participants (" << d->completed
              << " completed a track, " << d->enrolled
              << " enrolled now), loaded in "
              << absl::ToDoubleSeconds(absl::Now() - start) << " s\n";
    return d;
  }());
  return *data;
}

void BM_ProposeTracks(benchmark::State& state) {
  Dataset& d = Data();
  Matching matching(d.deps(), MatchingWeights(), d.index.get());
  std::vector<double> micros;
  size_t i = 0;
  int proposals = 0;
  for (auto _ : state) {
    v1::ProposeTracksRequest request;
    request.set_participant(d.participants[i++ % d.participants.size()]);
    const absl::Time start = absl::Now();
    auto response = matching.ProposeTracks(request);
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!response.ok()) {
      state.SkipWithError(std::string(response.status().message()).c_str());
      break;
    }
    proposals += response->proposals_size();
    benchmark::DoNotOptimize(response);
  }
  if (!micros.empty()) {
    state.counters["proposals_per_call"] =
        static_cast<double>(proposals) / static_cast<double>(micros.size());
  }
  bench::ReportLatencies(state, std::move(micros));
}
BENCHMARK(BM_ProposeTracks)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace jobtrack

BENCHMARK_MAIN();
