#include "services/common/terms.h"

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "services/common/crud.h"
#include "services/common/reference_data.h"

namespace jobtrack {

void AddMunicipalityTerms(absl::string_view code,
                          std::vector<std::string>* terms) {
  if (code.size() != 4) return;
  terms->push_back(Term("municipality", code));
  terms->push_back(Term("county", code.substr(0, 2)));
}

void AddSniTerms(absl::string_view code, std::vector<std::string>* terms) {
  if (code.empty()) return;
  const std::string section = ReferenceData::Get().SniSection(code);
  if (!section.empty()) terms->push_back(Term("sni", section));
  if (!absl::ascii_isdigit(code[0])) return;
  for (size_t len = 2; len <= code.size(); ++len) {
    terms->push_back(Term("sni", code.substr(0, len)));
  }
}

void AddSsykTerms(absl::string_view code, std::vector<std::string>* terms) {
  for (size_t len = 1; len <= code.size(); ++len) {
    terms->push_back(Term("ssyk", code.substr(0, len)));
  }
}

FilterField MunicipalityFilter() {
  return {"municipality",
          [](absl::string_view v) -> std::optional<std::string> {
            if (!ReferenceData::Get().IsMunicipality(v)) return std::nullopt;
            return std::string(v);
          }};
}

FilterField CountyFilter() {
  return {"county", [](absl::string_view v) -> std::optional<std::string> {
            if (!ReferenceData::Get().IsCounty(v)) return std::nullopt;
            return std::string(v);
          }};
}

FilterField SniFilter() {
  return {"sni", [](absl::string_view v) -> std::optional<std::string> {
            if (!ReferenceData::Get().IsSniCode(v)) return std::nullopt;
            return std::string(v);
          }};
}

FilterField SsykFilter() {
  return {"ssyk", [](absl::string_view v) -> std::optional<std::string> {
            if (!ReferenceData::Get().IsSsykCode(v)) return std::nullopt;
            return std::string(v);
          }};
}

FilterField EnumFilter(std::string name,
                       const google::protobuf::EnumDescriptor* descriptor) {
  return {std::move(name),
          [descriptor](absl::string_view v) -> std::optional<std::string> {
            const auto* value = descriptor->FindValueByName(std::string(v));
            if (value == nullptr || value->number() == 0) return std::nullopt;
            return std::string(v);
          }};
}

FilterField ReferenceFilter(std::string name, std::string collection) {
  return {std::move(name),
          [collection](absl::string_view v) -> std::optional<std::string> {
            if (!CheckResourceName(v, collection, "filter").ok()) {
              return std::nullopt;
            }
            return std::string(v);
          }};
}

FilterField TextFilter(std::string name) {
  return {std::move(name),
          [](absl::string_view v) -> std::optional<std::string> {
            if (v.empty() || v.find('\0') != absl::string_view::npos) {
              return std::nullopt;
            }
            return std::string(v);
          }};
}

std::string EnumTerm(absl::string_view field,
                     const google::protobuf::EnumDescriptor* descriptor,
                     int value) {
  const auto* v = descriptor->FindValueByNumber(value);
  return Term(field, v == nullptr ? "UNKNOWN" : v->name());
}

}  // namespace jobtrack
