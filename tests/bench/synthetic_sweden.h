// What the synthetic datasets of the benchmarks share: the skew of people
// and places, valid organisation numbers, and a set of modules. No
// dependency on Google Benchmark: jobtrack_datagen uses it too.
#ifndef JOBTRACK_TESTS_BENCH_SYNTHETIC_SWEDEN_H_
#define JOBTRACK_TESTS_BENCH_SYNTHETIC_SWEDEN_H_

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "services/common/validation.h"
#include "services/modules/modules.h"

namespace jobtrack::bench {

// A valid organisation number (Luhn check digit) of a legal person
// (digits 3–4 ≥ 20) for employer `i`.
inline std::string OrganisationNumber(int i) {
  std::string number = absl::StrCat(5560000000LL + i * 10LL);
  for (char c = '0'; c <= '9'; ++c) {
    number.back() = c;
    if (LuhnValid(number)) break;
  }
  return number;
}

// Municipality, weight: a skew like the real population's.
inline constexpr std::pair<const char*, int> kPlaces[] = {
    {"0180", 30}, {"1480", 18}, {"1280", 12}, {"0380", 7}, {"0580", 6},
    {"1880", 6},  {"1980", 6},  {"1283", 5},  {"0581", 5}, {"0680", 5},
    {"1780", 3},  {"0880", 2},  {"2281", 2},  {"0980", 2}, {"2580", 2},
    {"0184", 3},  {"0182", 2},  {"0181", 2},  {"1481", 2}, {"1402", 1},
    {"0114", 1},  {"0480", 2},  {"1382", 1},  {"1384", 1}, {"2380", 1}};

// Draws a municipality of kPlaces by its weight.
inline std::discrete_distribution<int> PlaceDistribution() {
  std::vector<int> weights;
  for (const auto& p : kPlaces) weights.push_back(p.second);
  return std::discrete_distribution<int>(weights.begin(), weights.end());
}

// Creates `count` modules, of every education form in turn, 4 to
// 3 + `length_spread` weeks long; their names.
inline absl::StatusOr<std::vector<std::string>> CreateModules(
    Modules& modules, const CallContext& context, int count,
    int length_spread) {
  const v1::EducationForm forms[] = {v1::KOMVUX, v1::AUB, v1::SFI,
                                     v1::WORK_PLACEMENT, v1::FOLKHOGSKOLA};
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    v1::Module m;
    m.set_display_name(absl::StrCat("Modul ", i));
    m.set_education_form(forms[i % 5]);
    m.set_length_weeks(4 + i % length_spread);
    m.set_hours_per_week(30);
    absl::StatusOr<v1::Module> made = modules.Create(context, m, "", m, "");
    if (!made.ok()) return made.status();
    names.push_back(made->name());
  }
  return names;
}

}  // namespace jobtrack::bench

#endif  // JOBTRACK_TESTS_BENCH_SYNTHETIC_SWEDEN_H_
