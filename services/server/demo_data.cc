#include "services/server/demo_data.h"

#include <initializer_list>
#include <optional>

#include "services/agreements/agreements.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/suppliers/suppliers.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"

namespace jobtrack {
namespace {

// Appends the Luhn check digit to nine digits.
std::string WithCheckDigit(std::string nine) {
  for (char d = '0'; d <= '9'; ++d) {
    if (LuhnValid(nine + d)) return nine + d;
  }
  return nine;
}

v1::Date Day(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

const CallContext kSeed{.principal = "system", .method = "SeedDemoData"};

class Seeder {
 public:
  explicit Seeder(Deps deps)
      : employers_(deps),
        suppliers_(deps),
        agreements_(deps),
        modules_(deps),
        tracks_(deps),
        intakes_(deps),
        participants_(deps),
        participations_(deps) {}

  absl::StatusOr<std::string> Employer(const char* name, const char* nine,
                                       v1::Employer::Sector sector,
                                       const char* sni, const char* kommun) {
    v1::Employer e;
    e.set_display_name(name);
    e.set_organisation_number(WithCheckDigit(nine));
    e.set_sector(sector);
    e.set_sni_code(sni);
    e.set_municipality_code(kommun);
    return NameOf(employers_.Create(kSeed, e, "", e, ""));
  }

  absl::StatusOr<std::string> Supplier(
      const char* name, const char* nine,
      std::initializer_list<const char*> kommuner) {
    v1::Supplier s;
    s.set_display_name(name);
    s.set_organisation_number(WithCheckDigit(nine));
    for (const char* k : kommuner) s.add_municipality_codes(k);
    return NameOf(suppliers_.Create(kSeed, s, "", s, ""));
  }

  absl::StatusOr<std::string> Agreement(
      const char* name, std::initializer_list<const char*> kommuner,
      v1::Date from) {
    v1::Agreement a;
    a.set_display_name(name);
    for (const char* k : kommuner) a.add_municipality_codes(k);
    *a.mutable_valid_from() = from;
    return NameOf(agreements_.Create(kSeed, a, "", a, ""));
  }

  absl::StatusOr<std::string> Module(const char* name, v1::EducationForm form,
                                     int weeks, int hours, const char* ssyk,
                                     const char* provider) {
    v1::Module m;
    m.set_display_name(name);
    m.set_education_form(form);
    m.set_length_weeks(weeks);
    m.set_hours_per_week(hours);
    if (*ssyk != '\0') m.add_ssyk_codes(ssyk);
    m.set_provider(provider);
    return NameOf(modules_.Create(kSeed, m, "", m, ""));
  }

  absl::StatusOr<v1::Track> Track(v1::Track track, v1::Date effective) {
    v1::CreateTrackRequest request;
    *request.mutable_track() = std::move(track);
    *request.mutable_effective_date() = effective;
    return tracks_.CreateTrack(kSeed, request);
  }

  absl::StatusOr<v1::Track> SetStatus(const v1::Track& track,
                                      v1::Track::Status status, v1::Date day) {
    v1::UpdateTrackRequest request;
    request.mutable_track()->set_name(track.name());
    request.mutable_track()->set_status(status);
    request.mutable_update_mask()->add_paths("status");
    *request.mutable_effective_date() = day;
    return tracks_.UpdateTrack(kSeed, request);
  }

  absl::StatusOr<std::string> Intake(const v1::Track& track,
                                     v1::Intake::StartType type, v1::Date start,
                                     int seats, const char* label) {
    v1::Intake intake;
    intake.set_display_name(label);
    intake.set_start_type(type);
    *intake.mutable_start_date() = start;
    intake.set_seats(seats);
    return NameOf(intakes_.Create(kSeed, intake, track.name(), intake, ""));
  }

  // A participant's way through `track`: proposed and selected on
  // `decided`, enrolled in `intake` from `start`; then, if `end` is set,
  // completed (with `outcome` at the end unless it is unspecified) or
  // interrupted on that day.
  absl::Status History(const std::string& participant, const v1::Track& track,
                       const std::string& intake, absl::CivilDay decided,
                       absl::CivilDay start, std::optional<absl::CivilDay> end,
                       bool completed, v1::OutcomeKind outcome) {
    absl::StatusOr<std::string> name =
        ProposeSelectEnroll(participations_, kSeed, participant, track.name(),
                            intake, start, decided);
    if (!name.ok() || !end) return name.status();
    if (!completed) {
      v1::InterruptParticipationRequest interrupt;
      interrupt.set_name(*name);
      *interrupt.mutable_end_date() = ToDate(*end);
      interrupt.set_reason(v1::GOT_JOB);
      return participations_.Interrupt(kSeed, interrupt).status();
    }
    v1::CompleteParticipationRequest complete;
    complete.set_name(*name);
    *complete.mutable_end_date() = ToDate(*end);
    if (absl::Status s = participations_.Complete(kSeed, complete).status();
        !s.ok() || outcome == v1::OUTCOME_KIND_UNSPECIFIED) {
      return s;
    }
    v1::RecordOutcomeRequest record;
    record.set_name(*name);
    record.set_point(v1::AT_END);
    record.set_kind(outcome);
    if (outcome == v1::WORK_SUBSIDIZED) record.set_subsidy(v1::NYSTARTSJOBB);
    *record.mutable_effective_date() = ToDate(*end + 1);
    return participations_.RecordOutcome(kSeed, record).status();
  }

  absl::StatusOr<std::string> Participant(
      const char* reference, v1::Gender gender, int birth_year,
      const char* kommun, v1::EducationLevel education,
      v1::SwedishLevel swedish, bool licence, const char* ssyk, const char* sni,
      std::initializer_list<v1::TargetGroup> groups) {
    v1::Participant p;
    p.set_external_reference(reference);
    p.set_gender(gender);
    p.set_birth_year(birth_year);
    p.set_municipality_code(kommun);
    p.set_education_level(education);
    p.set_swedish_level(swedish);
    p.set_driving_licence(licence);
    if (*ssyk != '\0') p.add_ssyk_interests(ssyk);
    if (*sni != '\0') p.add_sni_interests(sni);
    for (auto g : groups) p.add_target_groups(g);
    return NameOf(participants_.Create(kSeed, p, "", p, ""));
  }

  Employers& employers() { return employers_; }
  Tracks& tracks() { return tracks_; }

 private:
  template <typename T>
  static absl::StatusOr<std::string> NameOf(absl::StatusOr<T> created) {
    if (!created.ok()) return created.status();
    return created->name();
  }

  Employers employers_;
  Suppliers suppliers_;
  Agreements agreements_;
  Modules modules_;
  Tracks tracks_;
  Intakes intakes_;
  Participants participants_;
  Participations participations_;
};

v1::ChainStep ModuleStep(const std::string& module) {
  v1::ChainStep step;
  step.set_module(module);
  return step;
}

v1::ChainStep LocalStep(const char* name, v1::EducationForm form, int weeks,
                        int hours) {
  v1::ChainStep step;
  auto* local = step.mutable_local_module();
  local->set_display_name(name);
  local->set_education_form(form);
  local->set_length_weeks(weeks);
  local->set_hours_per_week(hours);
  return step;
}

// One stage per list; steps in a list run in parallel.
v1::ModuleChain Chain(
    std::initializer_list<std::initializer_list<v1::ChainStep>> stages) {
  v1::ModuleChain chain;
  for (const auto& steps : stages) {
    auto* stage = chain.add_stages();
    for (const auto& step : steps) *stage->add_steps() = step;
  }
  return chain;
}

#define JT_ASSIGN(lhs, expr)                    \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

#define JT_RETURN_IF_ERROR(expr) \
  if (absl::Status _s = (expr); !_s.ok()) return _s

absl::Status Seed(Seeder& s) {
  using v1::Employer;
  JT_ASSIGN(care_city,
            s.Employer("Stockholms stad, äldreförvaltningen", "212000014",
                       Employer::MUNICIPAL, "84111", "0180"));
  JT_ASSIGN(care_private, s.Employer("Omsorgshuset Norr AB", "556701234",
                                     Employer::PRIVATE, "87301", "0184"));
  JT_ASSIGN(buses, s.Employer("Västkust Linjetrafik AB", "556812345",
                              Employer::PRIVATE, "49311", "1480"));
  JT_ASSIGN(warehouse, s.Employer("Vätterlager Logistik AB", "559012345",
                                  Employer::PRIVATE, "52100", "0680"));
  JT_ASSIGN(restaurant,
            s.Employer("Restaurang Norrsken i Malmö AB", "556923456",
                       Employer::PRIVATE, "56100", "1280"));
  JT_RETURN_IF_ERROR(
      s.Supplier("Rusta Matcha Väst AB", "559123456", {"1480", "1481", "1402"})
          .status());
  JT_RETURN_IF_ERROR(
      s.Supplier("Kompetenslyftet Syd AB", "559234567", {"1280"}).status());
  JT_ASSIGN(gbg, s.Agreement("Lokala jobbspår Göteborgsregionen",
                             {"1480", "1481", "1402"}, Day(2022, 1, 1)));

  JT_ASSIGN(sfi, s.Module("Svenska för invandrare, kurs C", v1::SFI, 20, 15, "",
                          "Komvux Stockholm"));
  JT_ASSIGN(usk, s.Module("Undersköterska, vård och omsorg", v1::KOMVUX, 40, 25,
                          "5321", "Vård- och omsorgscollege"));
  JT_ASSIGN(bus, s.Module("Yrkesförare persontransport, buss", v1::AUB, 16, 40,
                          "8331", "Trafikutbildarna"));
  JT_ASSIGN(lager, s.Module("Lager och truck", v1::AUB, 8, 40, "4322",
                            "Lernia-liknande utbildningsanordnare"));
  JT_ASSIGN(praktik, s.Module("Praktik på arbetsplatsen", v1::WORK_PLACEMENT, 4,
                              40, "", "Arbetsgivaren"));
  JT_ASSIGN(kock, s.Module("Kock, restaurang och storkök", v1::KOMVUX, 30, 30,
                           "5120", "Komvux Malmö"));

  v1::Track care;
  care.set_display_name("Undersköterska i äldreomsorgen, Stockholm");
  care.set_description(
      "Riktat jobbspår med sfi parallellt med undersköterskeutbildning och "
      "avslutande praktik hos arbetsgivaren.");
  care.set_kind(v1::Track::EMPLOYER_DIRECTED);
  care.set_ssyk_code("5321");
  care.set_sni_code("Q");
  for (const char* k : {"0180", "0184", "0114"}) care.add_municipality_codes(k);
  care.add_employers(care_city);
  care.add_employers(care_private);
  care.mutable_requirements()->set_min_swedish_level(v1::SWEDISH_A2);
  care.set_status(v1::Track::OPEN);
  *care.mutable_chain() =
      Chain({{ModuleStep(sfi), ModuleStep(usk)}, {ModuleStep(praktik)}});
  JT_ASSIGN(care_track, s.Track(care, Day(2024, 8, 1)));
  JT_RETURN_IF_ERROR(s.Intake(care_track, v1::Intake::COMMON, Day(2027, 1, 18),
                              20, "Vårterminen 2027")
                         .status());
  JT_RETURN_IF_ERROR(s.Intake(care_track, v1::Intake::ROLLING, Day(2026, 9, 1),
                              8, "Löpande intag")
                         .status());

  v1::Track driver;
  driver.set_display_name("Bussförare i Göteborgsregionen");
  driver.set_kind(v1::Track::EMPLOYER_DIRECTED);
  driver.set_ssyk_code("8331");
  driver.set_sni_code("49311");
  for (const char* k : {"1480", "1481", "1402"})
    driver.add_municipality_codes(k);
  driver.add_employers(buses);
  driver.set_agreement(gbg);
  driver.mutable_requirements()->set_driving_licence(true);
  driver.mutable_requirements()->set_min_swedish_level(v1::SWEDISH_B1);
  driver.set_status(v1::Track::OPEN);
  *driver.mutable_chain() = Chain({{ModuleStep(bus)}, {ModuleStep(praktik)}});
  JT_ASSIGN(driver_track, s.Track(driver, Day(2023, 2, 1)));
  JT_RETURN_IF_ERROR(s.Intake(driver_track, v1::Intake::COMMON, Day(2027, 2, 1),
                              12, "Februari 2027")
                         .status());

  v1::Track store;
  store.set_display_name("Lagerarbetare, Jönköping");
  store.set_kind(v1::Track::EMPLOYER_DIRECTED);
  store.set_ssyk_code("4322");
  store.set_sni_code("52100");
  store.add_municipality_codes("0680");
  store.add_employers(warehouse);
  store.set_status(v1::Track::OPEN);
  *store.mutable_chain() = Chain({{ModuleStep(lager)}, {ModuleStep(praktik)}});
  JT_ASSIGN(store_track, s.Track(store, Day(2025, 3, 1)));
  JT_ASSIGN(store_intake, s.Intake(store_track, v1::Intake::ROLLING,
                                   Day(2025, 3, 15), 10, "Löpande intag"));

  v1::Track prep;
  prep.set_display_name("Förberedande spår: svenska och studieteknik, Malmö");
  prep.set_kind(v1::Track::PREPARATORY);
  prep.add_municipality_codes("1280");
  prep.mutable_requirements()->add_target_groups(v1::NEWLY_ARRIVED);
  prep.set_status(v1::Track::OPEN);
  *prep.mutable_chain() =
      Chain({{ModuleStep(sfi), LocalStep("Studieteknik och samhällsorientering",
                                         v1::FOLKHOGSKOLA, 10, 10)}});
  JT_ASSIGN(prep_track, s.Track(prep, Day(2023, 9, 1)));
  JT_RETURN_IF_ERROR(s.Intake(prep_track, v1::Intake::COMMON, Day(2027, 1, 11),
                              25, "Vårterminen 2027")
                         .status());

  v1::Track entre;
  entre.set_display_name("Entreprenörspår: starta eget, Umeå");
  entre.set_kind(v1::Track::ENTREPRENEUR);
  entre.add_municipality_codes("2480");
  entre.set_status(v1::Track::PLANNED);
  *entre.mutable_chain() = Chain({{LocalStep(
      "Affärsplan och företagande", v1::EDUCATION_FORM_OTHER, 12, 20)}});
  JT_RETURN_IF_ERROR(s.Track(entre, Day(2026, 10, 1)).status());

  v1::Track cook;
  cook.set_display_name("Kock, Malmö (avslutat)");
  cook.set_kind(v1::Track::EMPLOYER_DIRECTED);
  cook.set_ssyk_code("5120");
  cook.set_sni_code("56100");
  cook.add_municipality_codes("1280");
  cook.add_employers(restaurant);
  cook.set_status(v1::Track::OPEN);
  *cook.mutable_chain() = Chain({{ModuleStep(kock)}, {ModuleStep(praktik)}});
  JT_ASSIGN(cook_track, s.Track(cook, Day(2019, 3, 1)));
  JT_RETURN_IF_ERROR(
      s.SetStatus(cook_track, v1::Track::CLOSED, Day(2021, 6, 30)).status());

  // Jobseekers to ask proposals for (no personnummer: demo data).
  JT_RETURN_IF_ERROR(s.Participant("demo-gbg-1", v1::MALE, 1988, "1480",
                                   v1::UPPER_SECONDARY, v1::SWEDISH_B2, true,
                                   "8331", "49", {v1::LONG_TERM_UNEMPLOYED})
                         .status());
  JT_RETURN_IF_ERROR(s.Participant("demo-sthlm-1", v1::FEMALE, 1979, "0180",
                                   v1::PRE_UPPER_SECONDARY, v1::SWEDISH_B1,
                                   false, "5321", "87", {v1::NEWLY_ARRIVED})
                         .status());
  JT_RETURN_IF_ERROR(s.Participant("demo-malmo-1", v1::FEMALE, 2003, "1280",
                                   v1::PRE_UPPER_SECONDARY, v1::SWEDISH_A1,
                                   false, "", "",
                                   {v1::NEWLY_ARRIVED, v1::YOUNG})
                         .status());

  // A history for the follow-up: ten Jönköping jobseekers went through
  // the warehouse track in 2025 (seven completed, two left for jobs), one
  // is in it now.
  const v1::OutcomeKind outcomes[] = {
      v1::WORK_UNSUBSIDIZED,       v1::WORK_UNSUBSIDIZED, v1::WORK_UNSUBSIDIZED,
      v1::WORK_UNSUBSIDIZED,       v1::WORK_SUBSIDIZED,   v1::STUDIES,
      v1::OUTCOME_KIND_UNSPECIFIED};
  for (int i = 0; i < 10; ++i) {
    JT_ASSIGN(person, s.Participant(
                          absl::StrCat("demo-jkpg-", i + 1).c_str(),
                          i % 2 ? v1::MALE : v1::FEMALE, 1975 + 3 * i, "0680",
                          i % 3 ? v1::UPPER_SECONDARY : v1::PRE_UPPER_SECONDARY,
                          v1::SWEDISH_B1, i % 2 == 0, "4322", "52", {}));
    if (i < 7) {
      JT_RETURN_IF_ERROR(
          s.History(person, store_track, store_intake,
                    absl::CivilDay(2025, 3, 20), absl::CivilDay(2025, 4, 1),
                    absl::CivilDay(2025, 6, 27), true, outcomes[i]));
    } else if (i < 9) {
      JT_RETURN_IF_ERROR(s.History(
          person, store_track, store_intake, absl::CivilDay(2025, 3, 20),
          absl::CivilDay(2025, 4, 1), absl::CivilDay(2025, 5, 15), false,
          v1::OUTCOME_KIND_UNSPECIFIED));
    } else {
      JT_RETURN_IF_ERROR(s.History(person, store_track, store_intake,
                                   absl::CivilDay(2026, 9, 20),
                                   absl::CivilDay(2026, 10, 1), std::nullopt,
                                   false, v1::OUTCOME_KIND_UNSPECIFIED));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> SeedDemoDataIfEmpty(Deps deps) {
  std::unique_ptr<storage::Reader> reader = deps.storage->Snapshot();
  for (const char* collection : {"tracks", "employers"}) {
    absl::StatusOr<bool> any =
        RecordTable<v1::Track>::AnyIn(*reader, collection);
    if (!any.ok()) return any.status();
    if (*any) return false;
  }
  Seeder seeder(deps);
  if (absl::Status s = Seed(seeder); !s.ok()) return s;
  return true;
}

}  // namespace jobtrack
