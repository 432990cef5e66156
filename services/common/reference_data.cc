#include "services/common/reference_data.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace jobtrack {
namespace reference_csv {
extern const absl::string_view k_municipalities;
extern const absl::string_view k_counties;
extern const absl::string_view k_ssyk2012_major_groups;
extern const absl::string_view k_ssyk2012_unit_groups;
extern const absl::string_view k_sni2007_sections;
extern const absl::string_view k_sni2007_codes;
extern const absl::string_view k_sun2020_levels;
}  // namespace reference_csv

namespace {

// Calls `row` with the fields of every data line (the header is skipped).
template <typename Fn>
void ForEachRow(absl::string_view csv, Fn row) {
  bool header = true;
  for (absl::string_view line : absl::StrSplit(csv, '\n', absl::SkipEmpty())) {
    if (header) {
      header = false;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    row(SplitCsvLine(line));
  }
}

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return !s.empty();
}

}  // namespace

std::vector<std::string> SplitCsvLine(absl::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

const ReferenceData& ReferenceData::Get() {
  static const ReferenceData* data = new ReferenceData();
  return *data;
}

ReferenceData::ReferenceData() {
  ForEachRow(reference_csv::k_municipalities, [&](const auto& f) {
    if (f.size() >= 2) municipalities_[f[0]] = f[1];
  });
  ForEachRow(reference_csv::k_counties, [&](const auto& f) {
    if (!f.empty()) counties_.insert(f[0]);
  });
  ForEachRow(reference_csv::k_ssyk2012_major_groups, [&](const auto& f) {
    if (!f.empty()) ssyk_.insert(f[0]);
  });
  ForEachRow(reference_csv::k_ssyk2012_unit_groups, [&](const auto& f) {
    if (f.empty()) return;
    ssyk_unit_groups_.insert(f[0]);
    ssyk_.insert(f[0]);
    ssyk_.insert(f[0].substr(0, 3));
  });
  absl::flat_hash_map<std::string, std::string> parent;
  ForEachRow(reference_csv::k_sni2007_sections, [&](const auto& f) {
    if (!f.empty()) sni_[f[0]] = f[0];
  });
  ForEachRow(reference_csv::k_sni2007_codes, [&](const auto& f) {
    if (f.size() >= 3) parent[f[0]] = f[2];
  });
  for (const auto& [code, unused] : parent) {
    std::string top = code;
    while (top.size() > 1 && parent.contains(top)) top = parent[top];
    sni_[code] = top;
    if (code.size() == 5) sni_[code.substr(0, 4)] = top;
  }
  ForEachRow(reference_csv::k_sun2020_levels, [&](const auto& f) {
    if (f.size() < 6) return;
    v1::EducationLevel level;
    if (v1::EducationLevel_Parse(f[5], &level)) sun_[f[0]] = level;
  });
}

bool ReferenceData::IsMunicipality(absl::string_view code) const {
  return municipalities_.contains(code);
}

absl::string_view ReferenceData::MunicipalityName(
    absl::string_view code) const {
  auto it = municipalities_.find(code);
  return it == municipalities_.end() ? absl::string_view() : it->second;
}

std::vector<std::string> ReferenceData::MunicipalitiesOf(
    absl::string_view county) const {
  std::vector<std::string> codes;
  if (county.size() != 2) return codes;
  for (const auto& [code, name] : municipalities_) {
    if (absl::string_view(code).substr(0, 2) == county) codes.push_back(code);
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

std::vector<std::string> ReferenceData::Counties() const {
  std::vector<std::string> codes(counties_.begin(), counties_.end());
  std::sort(codes.begin(), codes.end());
  return codes;
}

bool ReferenceData::IsCounty(absl::string_view code) const {
  return counties_.contains(code);
}

bool ReferenceData::IsSsykUnitGroup(absl::string_view code) const {
  return ssyk_unit_groups_.contains(code);
}

bool ReferenceData::IsSsykCode(absl::string_view code) const {
  return AllDigits(code) && ssyk_.contains(code);
}

bool ReferenceData::IsSniCode(absl::string_view code) const {
  return sni_.contains(code);
}

std::string ReferenceData::SniSection(absl::string_view code) const {
  auto it = sni_.find(code);
  return it == sni_.end() ? std::string() : it->second;
}

std::optional<v1::EducationLevel> ReferenceData::SunCoarseLevel(
    absl::string_view code) const {
  auto it = sun_.find(code);
  if (it == sun_.end()) return std::nullopt;
  return it->second;
}

}  // namespace jobtrack
