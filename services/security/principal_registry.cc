#include "services/security/principal_registry.h"

#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "services/common/reference_data.h"
#include "services/common/secret_file.h"
#include "services/common/sha256.h"

namespace jobtrack {
namespace {

bool IsLowerHex(absl::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// Collects the problems of one file, each naming the entry and field.
class Problems : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    Add(absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                     message));
  }
  void Add(std::string problem) {
    if (!text_.empty()) text_ += "; ";
    text_ += problem;
  }
  absl::Status ToStatus() const {
    return text_.empty() ? absl::OkStatus()
                         : absl::InvalidArgumentError(
                               absl::StrCat("principals file: ", text_));
  }

 private:
  std::string text_;
};

}  // namespace

PrincipalRegistry::PrincipalRegistry(std::string path, const Clock* clock)
    : path_(std::move(path)), clock_(clock) {}

std::string PrincipalRegistry::HashToken(absl::string_view token) {
  return absl::BytesToHexString(Sha256(token));
}

absl::StatusOr<std::string> PrincipalRegistry::NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("no randomness for a token");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

absl::StatusOr<security::PrincipalsFile> PrincipalRegistry::Parse(
    absl::string_view text) {
  security::PrincipalsFile file;
  Problems problems;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&problems);
  if (!parser.ParseFromString(std::string(text), &file)) {
    problems.Add("not protobuf text format");
    return problems.ToStatus();
  }
  const ReferenceData& ref = ReferenceData::Get();
  absl::flat_hash_set<std::string> ids, tokens, certificates;
  for (int i = 0; i < file.principals_size(); ++i) {
    const security::PrincipalEntry& p = file.principals(i);
    const std::string at = absl::StrCat("principals[", i, "]");
    if (p.id().empty()) problems.Add(absl::StrCat(at, ".id: is required"));
    if (!ids.insert(p.id()).second) {
      problems.Add(absl::StrCat(at, ".id: ", p.id(), " is repeated"));
    }
    if (p.role() == security::ROLE_UNSPECIFIED ||
        !security::Role_IsValid(p.role())) {
      problems.Add(absl::StrCat(at, ".role: is required"));
    }
    const bool by_municipality = p.role() == security::CASE_OFFICER ||
                                 p.role() == security::MUNICIPALITY_STAFF;
    if (by_municipality && p.municipality_codes().empty()) {
      problems.Add(absl::StrCat(at, ".municipality_codes: name at least one"));
    }
    if (!by_municipality && p.role() != security::REPORTER &&
        !p.municipality_codes().empty()) {
      problems.Add(absl::StrCat(at,
                                ".municipality_codes: only for CASE_OFFICER, "
                                "MUNICIPALITY_STAFF and REPORTER"));
    }
    for (const std::string& m : p.municipality_codes()) {
      if (!ref.IsMunicipality(m)) {
        problems.Add(absl::StrCat(at, ".municipality_codes: ", m,
                                  " is not a municipality code"));
      }
    }
    if ((p.role() == security::SUPPLIER) !=
        absl::StartsWith(p.supplier(), "suppliers/")) {
      problems.Add(absl::StrCat(
          at, ".supplier: a SUPPLIER names `suppliers/{id}`, others none"));
    }
    if ((p.role() == security::EMPLOYER) !=
        absl::StartsWith(p.employer(), "employers/")) {
      problems.Add(absl::StrCat(
          at, ".employer: an EMPLOYER names `employers/{id}`, others none"));
    }
    if (p.may_export() && p.role() != security::REPORTER) {
      problems.Add(absl::StrCat(at, ".may_export: only for REPORTER"));
    }
    if (p.token_sha256().empty() && p.certificate_identity().empty()) {
      problems.Add(absl::StrCat(
          at, ": give token_sha256 or certificate_identity (or both)"));
    }
    if (!p.token_sha256().empty()) {
      if (p.token_sha256().size() != 64 || !IsLowerHex(p.token_sha256())) {
        problems.Add(absl::StrCat(
            at, ".token_sha256: must be 64 lower-case hex digits"));
      } else if (!tokens.insert(p.token_sha256()).second) {
        problems.Add(absl::StrCat(at, ".token_sha256: is repeated"));
      }
    }
    if (!p.certificate_identity().empty() &&
        !certificates.insert(p.certificate_identity()).second) {
      problems.Add(absl::StrCat(at, ".certificate_identity: is repeated"));
    }
    absl::Time expires;
    std::string error;
    if (!p.expire_time().empty() &&
        !absl::ParseTime(absl::RFC3339_full, p.expire_time(), &expires,
                         &error)) {
      problems.Add(
          absl::StrCat(at, ".expire_time: not RFC 3339 (", error, ")"));
    }
  }
  if (absl::Status s = problems.ToStatus(); !s.ok()) return s;
  return file;
}

absl::StatusOr<std::shared_ptr<const PrincipalRegistry::Index>>
PrincipalRegistry::Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSecretFile(path, "principals file");
  if (!text.ok()) return text.status();
  absl::StatusOr<security::PrincipalsFile> file = Parse(*text);
  if (!file.ok()) return file.status();
  auto index = std::make_shared<Index>();
  for (const security::PrincipalEntry& entry : file->principals()) {
    auto p = std::make_shared<Principal>();
    p->id = entry.id();
    p->role = entry.role();
    p->municipalities.insert(entry.municipality_codes().begin(),
                             entry.municipality_codes().end());
    p->supplier = entry.supplier();
    p->employer = entry.employer();
    p->may_export = entry.may_export();
    if (!entry.expire_time().empty()) {
      std::string ignored;
      absl::ParseTime(absl::RFC3339_full, entry.expire_time(), &p->expires,
                      &ignored);
    }
    if (!entry.token_sha256().empty()) {
      index->by_token_hash[entry.token_sha256()] = p;
    }
    if (!entry.certificate_identity().empty()) {
      index->by_certificate[entry.certificate_identity()] = p;
    }
  }
  return std::shared_ptr<const Index>(std::move(index));
}

absl::StatusOr<std::unique_ptr<PrincipalRegistry>> PrincipalRegistry::Load(
    std::string path, const Clock* clock) {
  std::unique_ptr<PrincipalRegistry> registry(
      new PrincipalRegistry(std::move(path), clock));
  if (absl::Status s = registry->Reload(); !s.ok()) return s;
  return registry;
}

absl::Status PrincipalRegistry::Reload() {
  absl::StatusOr<std::shared_ptr<const Index>> index = Read(path_);
  if (!index.ok()) return index.status();
  absl::MutexLock lock(&mu_);
  index_ = *std::move(index);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Principal>>
PrincipalRegistry::Authenticate(absl::string_view bearer_token,
                                absl::string_view certificate_identity) const {
  std::shared_ptr<const Index> index;
  {
    absl::MutexLock lock(&mu_);
    index = index_;
  }
  std::shared_ptr<const Principal> found;
  if (!bearer_token.empty()) {
    auto it = index->by_token_hash.find(HashToken(bearer_token));
    if (it == index->by_token_hash.end()) {
      return absl::UnauthenticatedError("the bearer token is not valid");
    }
    found = it->second;
  } else if (!certificate_identity.empty()) {
    auto it = index->by_certificate.find(certificate_identity);
    if (it == index->by_certificate.end()) {
      return absl::UnauthenticatedError(
          "the client certificate names no principal");
    }
    found = it->second;
  } else {
    return absl::UnauthenticatedError(
        "credentials required: `authorization: Bearer <token>` or a client "
        "certificate");
  }
  if (clock_->Now() >= found->expires) {
    return absl::UnauthenticatedError(
        absl::StrCat("the credentials of ", found->id, " have expired"));
  }
  return found;
}

}  // namespace jobtrack
