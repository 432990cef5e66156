// The follow-up report in-process over a synthetic history (issue 5).
//
//   JOBTRACK_BENCH_PARTICIPATIONS=2000000 build/tests/followup_bench
//
// N participations (default 20 000) of N/2 participants, each with an
// earlier (2018–2023, ended before 2024) and a later (2024–2026) participation
// in one of 300 tracks over 25 municipalities: a tenth stay proposals, the rest
// are enrolled and mostly completed (with outcomes at the end and after 90
// days) or interrupted; the latest are still running. Loaded through the
// same domain code as the API, WAL unsynced, 2 GB block cache. Prints:
// - the time to build the report projection from the log (a cold start),
// - single-call times of GetReport for the country and for a county, as of
//   today, from the projection,
// - the time to read a closed (frozen) period,
// - and, up to 200 000 participations, the baseline the projection
//   replaced: loading and replaying the whole log per report
//   (JOBTRACK_BENCH_BASELINE=0/1 overrides), with the ratio.
// A benchmark, not a test: nothing is asserted about time.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/followup/followup.h"
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

const absl::CivilDay kToday(2026, 11, 23);

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;
}

struct Dataset : bench::BenchEnv {
  // Loading reads what it checks (seats, duplicates) from SSTs; with the
  // default 64 MB cache most of the load time goes to decompressing the
  // same blocks again (perf at 500 000: snappy ≈ 30 %).
  Dataset() : BenchEnv(size_t{2} << 30) {}
  std::unique_ptr<ReportProjection> projection;
  int64_t participations = 0;
};

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

Dataset* Build(int64_t target) {
  auto* d = new Dataset;
  std::mt19937 random(5);
  std::discrete_distribution<int> place = bench::PlaceDistribution();
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(random);
  };
  const CallContext context{.principal = "bench", .method = "Load"};
  Employers employers(d->deps());
  Modules modules(d->deps());
  Tracks tracks(d->deps());
  Intakes intakes(d->deps());
  Participants participants(d->deps());
  Participations participations(d->deps());

  const std::vector<std::string> module_names =
      *bench::CreateModules(modules, context, 20, 30);
  struct TrackUse {
    std::string name;
    std::string municipality;
    // Intakes by month (rolling, created when first needed): about twenty
    // participations each, as real intakes, which keeps seat checks short.
    std::map<int, std::string> intakes;
  };
  std::vector<TrackUse> all_tracks;
  const v1::Track::Kind kinds[] = {v1::Track::EMPLOYER_DIRECTED,
                                   v1::Track::EMPLOYER_DIRECTED,
                                   v1::Track::PREPARATORY, v1::Track::OTHER};
  const char* const sni[] = {"87301", "49311", "52100", "56100", "41200"};
  for (int t = 0; t < 300; ++t) {
    const char* home = bench::kPlaces[place(random)].first;
    v1::CreateTrackRequest request;
    v1::Track* track = request.mutable_track();
    track->set_display_name(absl::StrCat("Spår ", t));
    track->set_kind(kinds[t % 4]);
    track->set_ssyk_code("5321");
    track->set_sni_code(sni[t % 5]);
    track->add_municipality_codes(home);
    if (track->kind() == v1::Track::EMPLOYER_DIRECTED) {
      v1::Employer e;
      e.set_display_name(absl::StrCat("Arbetsgivare ", t));
      e.set_organisation_number(bench::OrganisationNumber(t));
      e.set_sector(t % 3 ? v1::Employer::PRIVATE : v1::Employer::MUNICIPAL);
      e.set_sni_code(sni[t % 5]);
      e.set_municipality_code(home);
      track->add_employers(employers.Create(context, e, "", e, "")->name());
    }
    track->set_status(v1::Track::OPEN);
    track->mutable_chain()->add_stages()->add_steps()->set_module(
        module_names[t % module_names.size()]);
    *request.mutable_effective_date() = ToDate(absl::CivilDay(2018, 1, 1));
    all_tracks.push_back(
        {tracks.CreateTrack(context, request)->name(), home, {}});
  }
  auto intake_for = [&](TrackUse& track, absl::CivilDay day) {
    const int month = static_cast<int>(day.year()) * 12 + day.month() - 1;
    auto it = track.intakes.find(month);
    if (it != track.intakes.end()) return it->second;
    v1::Intake intake;
    intake.set_start_type(v1::Intake::ROLLING);
    *intake.mutable_start_date() =
        ToDate(absl::CivilDay(day.year(), day.month(), 1));
    intake.set_seats(1000);
    const std::string name =
        intakes.Create(context, intake, track.name, intake, "")->name();
    track.intakes[month] = name;
    return name;
  };

  const absl::CivilDay series(2018, 1, 1), later(2024, 1, 1);
  for (int64_t p = 0; d->participations < target; ++p) {
    v1::Participant person;
    person.set_external_reference(absl::StrCat("bench-", p));
    person.set_birth_year(1960 + static_cast<int>(p % 45));
    person.set_gender(p % 2 ? v1::FEMALE : v1::MALE);
    person.set_municipality_code(bench::kPlaces[place(random)].first);
    person.set_education_level(
        static_cast<v1::EducationLevel>(1 + static_cast<int>(p % 3)));
    const std::string who =
        participants.Create(context, person, "", person, "")->name();
    // An earlier participation that ended, then a later one.
    for (int round = 0; round < 2 && d->participations < target; ++round) {
      TrackUse& track = all_tracks[uniform(0, all_tracks.size() - 1)];
      const absl::CivilDay from = round == 0 ? series : later;
      const absl::CivilDay until =
          round == 0 ? absl::CivilDay(2022, 10, 31) : kToday - 1;
      const absl::CivilDay proposed =
          from + uniform(0, static_cast<int>(until - from));
      ++d->participations;
      if (uniform(0, 9) == 0) {
        v1::ProposeParticipationRequest propose;
        propose.set_participant(who);
        propose.set_track(track.name);
        *propose.mutable_effective_date() = ToDate(proposed);
        participations.Propose(context, propose).IgnoreError();
        continue;
      }
      const absl::CivilDay start = std::min(kToday, proposed + uniform(0, 20));
      absl::StatusOr<std::string> name =
          ProposeSelectEnroll(participations, context, who, track.name,
                              intake_for(track, start), start, proposed);
      if (!name.ok()) {
        std::cerr << "load: " << name.status() << "\n";
        std::abort();
      }
      const absl::CivilDay end = start + uniform(30, 400);
      if (end >= kToday) continue;  // Still running.
      if (uniform(0, 5) == 0) {
        v1::InterruptParticipationRequest interrupt;
        interrupt.set_name(*name);
        *interrupt.mutable_end_date() = ToDate(end);
        interrupt.set_reason(v1::ILLNESS);
        participations.Interrupt(context, interrupt).IgnoreError();
      } else {
        v1::CompleteParticipationRequest complete;
        complete.set_name(*name);
        *complete.mutable_end_date() = ToDate(end);
        participations.Complete(context, complete).IgnoreError();
      }
      const v1::OutcomeKind outcomes[] = {v1::WORK_UNSUBSIDIZED,
                                          v1::WORK_SUBSIDIZED, v1::STUDIES,
                                          v1::OUTCOME_OTHER};
      for (auto [point, after] :
           {std::pair{v1::AT_END, 1}, std::pair{v1::AFTER_90_DAYS, 90}}) {
        if (end + after >= kToday || uniform(0, 2) == 0) continue;
        v1::RecordOutcomeRequest outcome;
        outcome.set_name(*name);
        outcome.set_point(point);
        outcome.set_kind(outcomes[uniform(0, 3)]);
        if (outcome.kind() == v1::WORK_SUBSIDIZED) {
          outcome.set_subsidy(v1::LONEBIDRAG);
        }
        *outcome.mutable_effective_date() = ToDate(end + after);
        participations.RecordOutcome(context, outcome).IgnoreError();
      }
    }
  }
  return d;
}

Dataset& Data() {
  // Destroyed at exit, which removes the temporary database.
  static std::unique_ptr<Dataset> data([] {
    const int64_t target = EnvInt("JOBTRACK_BENCH_PARTICIPATIONS", 20000);
    absl::Time start = absl::Now();
    Dataset* d = Build(target);
    std::cerr << "dataset: " << d->participations << " participations, "
              << d->storage->LastSequence() << " events, loaded in "
              << absl::ToDoubleSeconds(absl::Now() - start) << " s\n";
    const double rss_before = PeakRssMb();
    start = absl::Now();
    d->projection = *ReportProjection::Open(d->storage.get());
    // Open returns at once; the projection's thread replays the log.
    d->projection->AwaitSequence(d->storage->LastSequence(),
                                 absl::InfiniteFuture());
    std::cerr << "projection: built from the log in "
              << absl::ToDoubleSeconds(absl::Now() - start) << " s, "
              << d->projection->size() << " participations; peak RSS "
              << rss_before << " MB before, " << PeakRssMb() << " MB after\n";
    return d;
  }());
  return *data;
}

v1::GetReportRequest ReportRequest(const char* county) {
  v1::GetReportRequest request;
  *request.mutable_as_of() = ToDate(kToday);
  request.mutable_scope()->set_county_code(county);
  return request;
}

// The national report's median from the projection, for the baseline's
// ratio.
double national_p50_us = 0;

void RunReports(benchmark::State& state, const v1::GetReportRequest& request) {
  Dataset& d = Data();
  FollowUp follow_up(d.deps(), FollowUpConfig(), d.projection.get());
  std::vector<double> micros;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    auto report = follow_up.GetReport(CallContext{}, request);
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!report.ok()) {
      state.SkipWithError(std::string(report.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(report);
  }
  bench::ReportLatencies(state, std::move(micros));
}

void BM_NationalReportFromProjection(benchmark::State& state) {
  RunReports(state, ReportRequest(""));
  national_p50_us = state.counters["p50_us"];
}
BENCHMARK(BM_NationalReportFromProjection)->Unit(benchmark::kMillisecond);

void BM_CountyReportFromProjection(benchmark::State& state) {
  RunReports(state, ReportRequest("14"));
}
BENCHMARK(BM_CountyReportFromProjection)->Unit(benchmark::kMillisecond);

void BM_FrozenPeriodRead(benchmark::State& state) {
  Dataset& d = Data();
  static const bool closed = [&] {
    FollowUp follow_up(d.deps(), FollowUpConfig(), d.projection.get());
    v1::ClosePeriodRequest close;
    close.set_name("periods/2026-09-30");
    const absl::Time start = absl::Now();
    auto period = follow_up.ClosePeriod({}, close);
    std::cerr << "ClosePeriod (country and 21 counties): "
              << absl::ToDoubleMilliseconds(absl::Now() - start) << " ms\n";
    return period.ok();
  }();
  if (!closed) {
    state.SkipWithError("ClosePeriod failed");
    return;
  }
  v1::GetReportRequest request;
  request.set_period("periods/2026-09-30");
  RunReports(state, request);
}
BENCHMARK(BM_FrozenPeriodRead)->Unit(benchmark::kMillisecond);

// What a report cost before the projection: load and replay the log.
void BM_NationalReportByReplayBaseline(benchmark::State& state) {
  Dataset& d = Data();
  if (EnvInt("JOBTRACK_BENCH_BASELINE", d.participations <= 200000) == 0) {
    state.SkipWithError("skipped above 200 000 participations");
    return;
  }
  std::vector<double> micros;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    std::unique_ptr<storage::Reader> reader = d.storage->Snapshot();
    absl::StatusOr<FollowUpData> data = LoadFollowUpData(*reader);
    if (!data.ok()) {
      state.SkipWithError(std::string(data.status().message()).c_str());
      break;
    }
    auto figures = ComputeFigures(*data, kToday, {}, data->last_sequence,
                                  FollowUpOptions());
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    benchmark::DoNotOptimize(figures);
  }
  bench::ReportLatencies(state, std::move(micros));
  if (national_p50_us > 0) {
    state.counters["times_projection"] =
        state.counters["p50_us"] / national_p50_us;
  }
}
BENCHMARK(BM_NationalReportByReplayBaseline)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
}  // namespace jobtrack

BENCHMARK_MAIN();
