#include "services/common/list_query.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "services/common/errors.h"

namespace jobtrack {
namespace {

// Splits a filter into tokens: identifiers/bare values, quoted strings, '='.
struct Token {
  enum Kind { kWord, kQuoted, kEquals } kind;
  std::string text;
};

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view filter) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < filter.size()) {
    const char c = filter[i];
    if (absl::ascii_isspace(c)) {
      ++i;
    } else if (c == '=') {
      tokens.push_back({Token::kEquals, "="});
      ++i;
    } else if (c == '"') {
      std::string text;
      ++i;
      while (i < filter.size() && filter[i] != '"') {
        if (filter[i] == '\\' && i + 1 < filter.size()) ++i;
        text += filter[i++];
      }
      if (i >= filter.size()) {
        return InvalidField("filter", "unterminated quoted value");
      }
      ++i;
      tokens.push_back({Token::kQuoted, std::move(text)});
    } else {
      std::string text;
      while (i < filter.size() && !absl::ascii_isspace(filter[i]) &&
             filter[i] != '=' && filter[i] != '"') {
        text += filter[i++];
      }
      tokens.push_back({Token::kWord, std::move(text)});
    }
  }
  return tokens;
}

uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string Term(absl::string_view field, absl::string_view value) {
  return absl::StrCat(field, "=", value);
}

absl::StatusOr<ListQuery> ParseListQuery(
    int page_size, absl::string_view page_token, absl::string_view filter,
    absl::string_view collection, const std::vector<FilterField>& fields) {
  ListQuery query;
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  query.page_size =
      page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  if (filter.size() > 2000) {
    return InvalidField("filter", "must be at most 2000 characters");
  }
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(filter);
  if (!tokens.ok()) return tokens.status();
  for (size_t i = 0; i < tokens->size();) {
    if (i > 0) {
      if ((*tokens)[i].kind != Token::kWord || (*tokens)[i].text != "AND") {
        return InvalidField("filter", "conditions must be joined by AND");
      }
      ++i;
    }
    if (i + 2 >= tokens->size() || (*tokens)[i].kind != Token::kWord ||
        (*tokens)[i + 1].kind != Token::kEquals ||
        (*tokens)[i + 2].kind == Token::kEquals) {
      return InvalidField("filter", "expected `field = value`");
    }
    const std::string& name = (*tokens)[i].text;
    const std::string& value = (*tokens)[i + 2].text;
    auto field =
        std::find_if(fields.begin(), fields.end(),
                     [&](const FilterField& f) { return f.name == name; });
    if (field == fields.end()) {
      std::vector<std::string> names;
      for (const auto& f : fields) names.push_back(f.name);
      return InvalidField(
          "filter",
          absl::StrCat("unknown field `", name, "`; filterable: ",
                       names.empty() ? "none" : absl::StrJoin(names, ", ")));
    }
    std::optional<std::string> normalized = field->normalize(value);
    if (!normalized) {
      return InvalidField("filter",
                          absl::StrCat("invalid value for `", name, "`"));
    }
    query.terms.push_back(Term(name, *normalized));
    i += 3;
  }
  std::vector<std::string> sorted = query.terms;
  std::sort(sorted.begin(), sorted.end());
  query.fingerprint = absl::StrCat(absl::Hex(
      Fnv1a(absl::StrCat(collection, "\n", absl::StrJoin(sorted, "\n"))),
      absl::kZeroPad16));

  if (!page_token.empty()) {
    std::string decoded;
    if (!absl::WebSafeBase64Unescape(page_token, &decoded)) {
      return InvalidField("page_token", "is not a token this service issued");
    }
    const size_t bar = decoded.find('|');
    if (bar == std::string::npos ||
        decoded.substr(0, bar) != query.fingerprint) {
      return InvalidField("page_token",
                          "belongs to a different list or filter");
    }
    query.start_after = decoded.substr(bar + 1);
    if (query.start_after.empty()) {
      return InvalidField("page_token", "is not a token this service issued");
    }
  }
  return query;
}

std::string MakePageToken(const ListQuery& query, absl::string_view last_id) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(query.fingerprint, "|", last_id));
}

}  // namespace jobtrack
