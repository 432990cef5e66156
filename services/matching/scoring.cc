#include "services/matching/scoring.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/tracks/chain.h"

namespace jobtrack {
namespace {

v1::NearMiss Miss(const v1::Track& track, const char* filter,
                  std::string reason) {
  v1::NearMiss miss;
  miss.set_track(track.name());
  miss.set_filter(filter);
  miss.set_reason(std::move(reason));
  return miss;
}

size_t CommonPrefix(absl::string_view a, absl::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

void Add(v1::Proposal& proposal, const char* factor, double weight,
         double value, std::string reason) {
  v1::FactorContribution* f = proposal.add_factors();
  f->set_factor(factor);
  f->set_weight(weight);
  f->set_value(value);
  f->set_contribution(weight * value);
  f->set_reason(std::move(reason));
}

bool SameCounty(absl::string_view a, absl::string_view b) {
  return a.size() >= 2 && b.size() >= 2 && a.substr(0, 2) == b.substr(0, 2);
}

}  // namespace

absl::Status ParseMatchingWeights(absl::string_view spec,
                                  MatchingWeights* weights) {
  MatchingWeights parsed = *weights;
  const std::pair<const char*, double*> fields[] = {
      {"occupation", &parsed.occupation},
      {"industry", &parsed.industry},
      {"geography", &parsed.geography},
      {"start", &parsed.start},
      {"plan_length", &parsed.plan_length},
      {"demand", &parsed.demand},
      {"outcome", &parsed.outcome},
      {"next_track", &parsed.next_track},
      {"prior_completions", &parsed.prior_completions},
      {"national_outcome_rate", &parsed.national_outcome_rate},
  };
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(item, absl::MaxSplits('=', 1));
    const absl::string_view name = absl::StripAsciiWhitespace(kv.first);
    const absl::string_view text = absl::StripAsciiWhitespace(kv.second);
    if (name == "start_window_days") {
      int days = 0;
      if (!absl::SimpleAtoi(text, &days) || days < 1) {
        return absl::InvalidArgumentError(
            "matching weight start_window_days must be a whole number >= 1");
      }
      parsed.start_window_days = days;
      continue;
    }
    auto field = std::find_if(std::begin(fields), std::end(fields),
                              [&](const auto& f) { return name == f.first; });
    if (field == std::end(fields)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown matching weight `", name, "`"));
    }
    double value = 0;
    if (!absl::SimpleAtod(text, &value) || value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("matching weight ", name, " must be a number >= 0"));
    }
    *field->second = value;
  }
  *weights = parsed;
  return absl::OkStatus();
}

uint32_t FailedFilterMask(const v1::Participant& p, const v1::Track& t,
                          v1::Track::Status status) {
  uint32_t failed = 0;
  if (status != v1::Track::OPEN) failed |= kFilterOpen;
  if (std::find(t.municipality_codes().begin(), t.municipality_codes().end(),
                p.municipality_code()) == t.municipality_codes().end()) {
    failed |= kFilterMunicipality;
  }
  const v1::Requirements& r = t.requirements();
  if (r.min_swedish_level() != v1::SWEDISH_LEVEL_UNSPECIFIED &&
      p.swedish_level() < r.min_swedish_level()) {
    failed |= kFilterSwedishLevel;
  }
  if (r.driving_licence() && !p.driving_licence()) {
    failed |= kFilterDrivingLicence;
  }
  if (r.min_education_level() != v1::EDUCATION_LEVEL_UNSPECIFIED &&
      p.education_level() < r.min_education_level()) {
    failed |= kFilterEducationLevel;
  }
  if (!r.target_groups().empty() &&
      std::none_of(
          r.target_groups().begin(), r.target_groups().end(), [&](int group) {
            return std::find(p.target_groups().begin(), p.target_groups().end(),
                             group) != p.target_groups().end();
          })) {
    failed |= kFilterTargetGroup;
  }
  if (t.kind() == v1::Track::ENTREPRENEUR && !p.self_employment_interest()) {
    failed |= kFilterSelfEmployment;
  }
  return failed;
}

std::vector<v1::NearMiss> DescribeFailures(const v1::Participant& p,
                                           const v1::Track& t,
                                           v1::Track::Status status,
                                           uint32_t mask) {
  std::vector<v1::NearMiss> failed;
  const v1::Requirements& r = t.requirements();
  if (mask & kFilterOpen) {
    failed.push_back(
        Miss(t, "open",
             absl::StrCat("the track is ", v1::Track::Status_Name(status))));
  }
  if (mask & kFilterMunicipality) {
    failed.push_back(Miss(t, "municipality",
                          absl::StrCat("the track is not used in municipality ",
                                       p.municipality_code())));
  }
  if (mask & kFilterSwedishLevel) {
    failed.push_back(
        Miss(t, "swedish_level",
             absl::StrCat("needs Swedish at ",
                          v1::SwedishLevel_Name(r.min_swedish_level()))));
  }
  if (mask & kFilterDrivingLicence) {
    failed.push_back(Miss(t, "driving_licence", "needs a driving licence"));
  }
  if (mask & kFilterEducationLevel) {
    failed.push_back(
        Miss(t, "education_level",
             absl::StrCat("needs ",
                          v1::EducationLevel_Name(r.min_education_level()))));
  }
  if (mask & kFilterTargetGroup) {
    failed.push_back(
        Miss(t, "target_group", "the track is for other target groups"));
  }
  if (mask & kFilterSelfEmployment) {
    failed.push_back(
        Miss(t, "self_employment",
             "an entrepreneur track needs an interest in self-employment"));
  }
  return failed;
}

std::vector<v1::NearMiss> FailedFilters(const v1::Participant& p,
                                        const v1::Track& t,
                                        v1::Track::Status status) {
  return DescribeFailures(p, t, status, FailedFilterMask(p, t, status));
}

namespace {

int PlanWeeksFor(const v1::ModuleChain& chain, int background) {
  const bool has_swedish = background & 1;
  const bool has_upper_secondary = background & 2;
  int weeks = 0;
  for (const v1::ChainStage& stage : chain.stages()) {
    int longest = 0;
    for (const v1::ChainStep& step : stage.steps()) {
      if ((step.education_form() == v1::SFI && has_swedish) ||
          (step.education_form() == v1::KOMVUX && has_upper_secondary)) {
        continue;
      }
      longest = std::max(longest, step.length_weeks());
    }
    weeks += longest;
  }
  return weeks;
}

}  // namespace

int Background(const v1::Participant& p) {
  return (p.swedish_level() >= v1::SWEDISH_B1 ? 1 : 0) |
         (p.education_level() >= v1::UPPER_SECONDARY ? 2 : 0);
}

int PlanWeeks(const v1::Participant& p, const v1::ModuleChain& chain) {
  return PlanWeeksFor(chain, Background(p));
}

std::array<int, 4> PlanWeeksByBackground(const v1::ModuleChain& chain) {
  std::array<int, 4> weeks;
  for (int background = 0; background < 4; ++background) {
    weeks[background] = PlanWeeksFor(chain, background);
  }
  return weeks;
}

double GeographyValue(absl::string_view home,
                      absl::Span<const std::string> places) {
  if (std::find(places.begin(), places.end(), home) != places.end()) return 1;
  if (std::any_of(places.begin(), places.end(),
                  [&](const std::string& m) { return SameCounty(m, home); })) {
    return 0.5;
  }
  return 0;
}

double PlanLengthValue(int plan_weeks) {
  return 1.0 - static_cast<double>(std::min(plan_weeks, kMaxChainWeeks)) /
                   kMaxChainWeeks;
}

double OutcomeValue(const MatchingWeights& w, int completed, int working) {
  return (working + w.prior_completions * w.national_outcome_rate) /
         (completed + w.prior_completions);
}

FactorValues Evaluate(const MatchingWeights& w, const ParticipantFacts& facts,
                      const TrackOption& option, absl::CivilDay today) {
  const v1::Participant& p = *facts.participant;
  const v1::Track& t = *option.track;
  FactorValues v;

  // Occupation: 1 for the same 4-digit SSYK unit group, 0.75 for the minor
  // group, 0.5 for the sub-major group, 0.25 for the major group.
  if (!t.ssyk_code().empty()) {
    for (int i = 0; i < p.ssyk_interests_size(); ++i) {
      const int n =
          static_cast<int>(CommonPrefix(p.ssyk_interests(i), t.ssyk_code()));
      if (n > v.occupation_digits)
        v.occupation_digits = n, v.occupation_interest = i;
    }
    v.occupation = OccupationValue(v.occupation_digits);
  }

  // Industry: 1 for the same detailed SNI group (or the track's own code),
  // 0.75 for the same group (3 digits), 0.5 for the division, 0.25 for the
  // section.
  if (!t.sni_code().empty()) {
    for (int i = 0; i < p.sni_interests_size(); ++i) {
      const std::string& code = p.sni_interests(i);
      double value = 0;
      if (code == t.sni_code()) {
        value = 1;
      } else if (static_cast<size_t>(i) < facts.sni_interest_sections.size() &&
                 facts.sni_interest_sections[i] == option.sni_section) {
        const size_t n = CommonPrefix(code, t.sni_code());
        value = n >= 3 ? 0.75 : n == 2 ? 0.5 : 0.25;
      }
      if (value > v.industry) v.industry = value, v.industry_interest = i;
    }
  }

  v.geography =
      GeographyValue(p.municipality_code(), option.workplace_municipalities);

  v.start_days = std::max<int>(0, static_cast<int>(option.start - today));
  const int window = std::max(1, w.start_window_days);
  v.start = 1.0 - static_cast<double>(std::min(v.start_days, window)) / window;

  v.plan_weeks = option.plan_weeks[Background(p)];
  v.plan_length = PlanLengthValue(v.plan_weeks);

  const int seats = std::max(1, option.intake->seats());
  v.demand = static_cast<double>(std::min(option.free_seats, seats)) / seats;

  v.outcome = OutcomeValue(w, option.completed, option.working);

  v.next_track =
      !option.sni_section.empty() &&
              facts.sections_completed_not_hired.contains(option.sni_section)
          ? 1
          : 0;
  return v;
}

double TotalScore(const MatchingWeights& w, const FactorValues& v) {
  double score = 0;
  score += w.occupation * v.occupation;
  score += w.industry * v.industry;
  score += w.geography * v.geography;
  score += w.start * v.start;
  score += w.plan_length * v.plan_length;
  score += w.demand * v.demand;
  score += w.outcome * v.outcome;
  score += w.next_track * v.next_track;
  return score;
}

void Explain(const MatchingWeights& w, const ParticipantFacts& facts,
             const TrackOption& option, const FactorValues& v,
             v1::Proposal* out) {
  const v1::Participant& p = *facts.participant;
  const v1::Track& t = *option.track;
  v1::Proposal& proposal = *out;
  proposal.set_track(t.name());
  proposal.set_intake(option.intake->name());
  proposal.set_participant(p.name());

  Add(proposal, "occupation", w.occupation, v.occupation,
      t.ssyk_code().empty() ? std::string("the track names no occupation")
      : v.occupation_interest < 0
          ? absl::StrCat("no occupation interest near SSYK ", t.ssyk_code())
          : absl::StrCat(
                "interest in SSYK ", p.ssyk_interests(v.occupation_interest),
                " shares ", v.occupation_digits,
                " of 4 digits with the track's occupation ", t.ssyk_code()));
  Add(proposal, "industry", w.industry, v.industry,
      t.sni_code().empty() ? std::string("the track names no industry")
      : v.industry_interest < 0
          ? absl::StrCat("no industry interest in SNI section ",
                         option.sni_section)
          : absl::StrCat("industry interest SNI ",
                         p.sni_interests(v.industry_interest),
                         " matches the track's industry ", t.sni_code()));
  Add(proposal, "geography", w.geography, v.geography,
      v.geography == 1     ? "the job is in the home municipality"
      : v.geography == 0.5 ? "the job is in the home county"
                           : "the job is elsewhere in the track's area");
  Add(proposal, "start", w.start, v.start,
      v.start_days == 0 ? std::string("can start now")
                        : absl::StrCat("starts in ", v.start_days, " days"));
  Add(proposal, "plan_length", w.plan_length, v.plan_length,
      absl::StrCat("a plan of ", v.plan_weeks, " weeks (the chain takes ",
                   option.chain->length_weeks(), ")"));
  Add(proposal, "demand", w.demand, v.demand,
      absl::StrCat(option.free_seats, " of ",
                   std::max(1, option.intake->seats()), " seats free"));
  Add(proposal, "outcome", w.outcome, v.outcome,
      absl::StrFormat("%d of %d who completed it got work (%.0f%% adjusted)",
                      option.working, option.completed, v.outcome * 100));
  Add(proposal, "next_track", w.next_track, v.next_track,
      v.next_track > 0
          ? "completed a track in this industry without being hired"
          : "no earlier track in this industry");
  proposal.set_score(TotalScore(w, v));
}

v1::Proposal Score(const MatchingWeights& w, const ParticipantFacts& facts,
                   const TrackOption& option, absl::CivilDay today) {
  v1::Proposal proposal;
  Explain(w, facts, option, Evaluate(w, facts, option, today), &proposal);
  return proposal;
}

}  // namespace jobtrack
