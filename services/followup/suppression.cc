#include "services/followup/suppression.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace jobtrack {
namespace {

constexpr const char* kGenders[] = {"women", "men", "gender_unspecified"};

bool AboutPersons(const v1::Figure& f) {
  return f.unit() == v1::Figure::PERSONS ||
         f.unit() == v1::Figure::PARTICIPATIONS;
}

bool Small(int64_t n) { return n >= 1 && n <= 4; }

}  // namespace

std::vector<AdditiveGroup> AdditiveGroups(
    const std::vector<v1::Figure>& figures) {
  std::vector<AdditiveGroup> groups;
  auto by_gender = [&](const std::string& total, const std::string& prefix,
                       bool denominator) {
    AdditiveGroup g;
    g.total = Cell{total, false};
    for (const char* gender : kGenders) {
      g.parts.push_back({absl::StrCat(prefix, gender), denominator});
    }
    groups.push_back(std::move(g));
  };
  by_gender("participants.active", "participants.active.", false);
  by_gender("participants.started_since_series_start",
            "participants.started_since_series_start.", false);
  by_gender("proposals", "proposals.enrolled.", true);
  groups.push_back({Cell{"participations.ended_this_year", false},
                    {{"participations.ended_this_year.completed", false},
                     {"participations.ended_this_year.interrupted", false}}});
  {
    AdditiveGroup g;
    g.total = Cell{"participations.ended_this_year.completed", false};
    for (const char* gender : kGenders) {
      g.parts.push_back(
          {absl::StrCat("participations.completed_this_year.", gender), true});
    }
    groups.push_back(std::move(g));
  }
  // Outcome classes of one basis and kind share their denominator.
  absl::flat_hash_map<std::string, size_t> outcome_groups;
  for (const v1::Figure& f : figures) {
    if (!absl::StartsWith(f.id(), "outcomes.completed.") &&
        !absl::StartsWith(f.id(), "outcomes.ended.")) {
      continue;
    }
    if (absl::StartsWith(f.id(), "outcomes.completed.working.")) continue;
    const std::string prefix = f.id().substr(0, f.id().rfind('.'));
    auto [it, inserted] = outcome_groups.emplace(prefix, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].parts.push_back({f.id(), false});
  }
  return groups;
}

void SuppressSmallCells(std::vector<v1::Figure>& figures) {
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < figures.size(); ++i) index[figures[i].id()] = i;
  std::vector<bool> hidden(figures.size(), false);
  for (size_t i = 0; i < figures.size(); ++i) {
    const v1::Figure& f = figures[i];
    hidden[i] =
        AboutPersons(f) && (Small(f.numerator()) || Small(f.denominator()));
  }
  auto value = [&](const Cell& c) -> int64_t {
    const v1::Figure& f = figures[index.at(c.id)];
    return c.denominator ? f.denominator() : f.numerator();
  };
  const std::vector<AdditiveGroup> groups = AdditiveGroups(figures);
  bool changed = true;
  while (changed) {
    changed = false;
    for (const AdditiveGroup& g : groups) {
      // (figure, value) of each part present.
      std::vector<std::pair<size_t, int64_t>> parts;
      for (const Cell& c : g.parts) {
        if (index.contains(c.id)) parts.emplace_back(index.at(c.id), value(c));
      }
      if (parts.empty()) continue;
      const int hidden_parts = static_cast<int>(
          std::count_if(parts.begin(), parts.end(),
                        [&](const auto& p) { return hidden[p.first]; }));
      if (hidden_parts != 1) continue;
      // Is the total visible? A named total, or the shared denominator
      // shown by any visible part.
      const bool total_visible =
          g.total
              ? index.contains(g.total->id) && !hidden[index.at(g.total->id)]
              : hidden_parts < static_cast<int>(parts.size());
      if (!total_visible) continue;
      // Withhold the smallest visible non-zero part, else the total.
      std::optional<std::pair<size_t, int64_t>> next;
      for (const auto& [i, v] : parts) {
        if (hidden[i] || v == 0) continue;
        if (!next || v < next->second) next = {i, v};
      }
      if (next) {
        hidden[next->first] = true;
      } else if (g.total) {
        hidden[index.at(g.total->id)] = true;
      } else {
        for (const auto& [i, v] : parts) hidden[i] = true;
      }
      changed = true;
    }
  }
  for (size_t i = 0; i < figures.size(); ++i) {
    if (!hidden[i]) continue;
    figures[i].set_numerator(0);
    figures[i].set_denominator(0);
    figures[i].set_suppressed(true);
  }
}

}  // namespace jobtrack
