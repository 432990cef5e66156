// Index terms and list filters for the fields that several resources share
// (municipalities, counties, SNI, SSYK, enums, references). A filter field
// and the index term it matches are built here together, so they agree.
#ifndef JOBTRACK_SERVICES_COMMON_TERMS_H_
#define JOBTRACK_SERVICES_COMMON_TERMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "services/common/list_query.h"

namespace jobtrack {

// "municipality=0180" and "county=01".
void AddMunicipalityTerms(absl::string_view code,
                          std::vector<std::string>* terms);
// "sni=Q", "sni=86", "sni=861", "sni=8610", "sni=86101": a record matches a
// filter on any level of its code.
void AddSniTerms(absl::string_view code, std::vector<std::string>* terms);
// "ssyk=5", "ssyk=53", "ssyk=532", "ssyk=5321".
void AddSsykTerms(absl::string_view code, std::vector<std::string>* terms);

FilterField MunicipalityFilter();
FilterField CountyFilter();
FilterField SniFilter();
FilterField SsykFilter();
// Values are the enum's value names (UNSPECIFIED is not accepted).
FilterField EnumFilter(std::string name,
                       const google::protobuf::EnumDescriptor* descriptor);
// Values are resource names `<collection>/{id}`.
FilterField ReferenceFilter(std::string name, std::string collection);
// Any non-empty text without NUL.
FilterField TextFilter(std::string name);

// Term for an enum value: "kind=EMPLOYER_DIRECTED".
std::string EnumTerm(absl::string_view field,
                     const google::protobuf::EnumDescriptor* descriptor,
                     int value);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_TERMS_H_
