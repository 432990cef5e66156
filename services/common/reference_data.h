// The Swedish code tables jobtrack validates against, shipped inside the
// binary (sources and versions: services/common/reference/SOURCES.md):
// municipalities and counties (SCB), SSYK 2012 (SCB's 429 unit groups plus
// Arbetsförmedlingen's 25 manager codes), SNI 2007 and SUN 2020.
//
// Thread-safe: the tables are parsed once and never change.
#ifndef JOBTRACK_SERVICES_COMMON_REFERENCE_DATA_H_
#define JOBTRACK_SERVICES_COMMON_REFERENCE_DATA_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "jobtrack/v1/common.pb.h"

namespace jobtrack {

inline constexpr char kSsykVersion[] = "SSYK 2012";
inline constexpr char kSniVersion[] = "SNI 2007";
inline constexpr char kSunVersion[] = "SUN 2020";

class ReferenceData {
 public:
  static const ReferenceData& Get();

  // 4-digit kommunkod, e.g. "0180".
  bool IsMunicipality(absl::string_view code) const;
  // Name of a valid municipality, else empty.
  absl::string_view MunicipalityName(absl::string_view code) const;
  // 2-digit länskod, e.g. "01".
  bool IsCounty(absl::string_view code) const;
  // Every county code, sorted.
  std::vector<std::string> Counties() const;
  // The municipalities of a county (their codes begin with it), sorted.
  std::vector<std::string> MunicipalitiesOf(absl::string_view county) const;

  // A 4-digit SSYK 2012 unit group, exactly as listed.
  bool IsSsykUnitGroup(absl::string_view code) const;
  // An SSYK 2012 code on any level: 1 or 2 digits as listed, 3 digits that
  // begin a listed unit group, or a listed 4-digit unit group.
  bool IsSsykCode(absl::string_view code) const;

  // An SNI 2007 code: a section letter (A–U), a listed 2-, 3- or 5-digit
  // code, or 4 digits that begin a listed 5-digit code.
  bool IsSniCode(absl::string_view code) const;
  // The section letter of a valid SNI code ("86101" → "Q").
  std::string SniSection(absl::string_view code) const;

  // The coarse level of a SUN 2020 nivå code (1–3 digits), if listed.
  std::optional<v1::EducationLevel> SunCoarseLevel(
      absl::string_view code) const;

 private:
  ReferenceData();

  absl::flat_hash_map<std::string, std::string> municipalities_;  // → name
  absl::flat_hash_set<std::string> counties_;
  absl::flat_hash_set<std::string> ssyk_;  // Every valid code, all levels.
  absl::flat_hash_set<std::string> ssyk_unit_groups_;
  absl::flat_hash_map<std::string, std::string> sni_;  // Valid code → section.
  absl::flat_hash_map<std::string, v1::EducationLevel> sun_;
};

// Splits one CSV line into fields (RFC 4180 quoting, no embedded newlines).
std::vector<std::string> SplitCsvLine(absl::string_view line);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_REFERENCE_DATA_H_
