#include "clients/ctl/report_html.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace jobtrack::ctl {
namespace {

std::string Escape(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

// A bar: its label and value, or nullopt when withheld.
struct Bar {
  std::string label;
  std::optional<double> value;
};

// A series of bars per category (one colour each).
struct Chart {
  std::string title;
  std::vector<std::string> series;      // Legend; one entry: no legend.
  std::vector<std::string> categories;  // Rows.
  std::vector<std::vector<Bar>> bars;   // [category][series]
};

constexpr const char* kColours[] = {"#1f6f8b", "#e07a5f", "#81b29a", "#f2cc8f",
                                    "#6d597a"};

std::string Svg(const Chart& chart) {
  constexpr int kLabelWidth = 220, kBarArea = 380, kBarHeight = 16, kGap = 10,
                kLegendPerRow = 3;
  // The legend (when there are several series) takes rows of its own.
  const int legend_rows =
      chart.series.size() > 1
          ? (static_cast<int>(chart.series.size()) + kLegendPerRow - 1) /
                kLegendPerRow
          : 0;
  const int kTop = 14 + legend_rows * 18;
  const int per_category =
      static_cast<int>(chart.series.size()) * kBarHeight + kGap;
  const int height =
      kTop + static_cast<int>(chart.categories.size()) * per_category + 30;
  double max = 0;
  int withheld = 0;
  for (const auto& row : chart.bars) {
    for (const Bar& b : row) {
      if (b.value) {
        max = std::max(max, *b.value);
      } else {
        ++withheld;
      }
    }
  }
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"%s\">\n<title>%s</title>\n",
      kLabelWidth + kBarArea + 80, height, Escape(chart.title),
      Escape(chart.title));
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    const int y0 = kTop + static_cast<int>(c) * per_category;
    absl::StrAppendFormat(
        &svg,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"label\">%s"
        "</text>\n",
        kLabelWidth - 8, y0 + per_category / 2, Escape(chart.categories[c]));
    for (size_t s = 0; s < chart.series.size(); ++s) {
      const Bar& bar = chart.bars[c][s];
      const int y = y0 + static_cast<int>(s) * kBarHeight;
      if (!bar.value) {
        absl::StrAppendFormat(&svg,
                              "<text x=\"%d\" y=\"%d\" class=\"withheld\">"
                              "withheld</text>\n",
                              kLabelWidth, y + kBarHeight - 4);
        continue;
      }
      const int width =
          max > 0 ? static_cast<int>(*bar.value / max * kBarArea) : 0;
      absl::StrAppendFormat(
          &svg,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
          "<title>%s: %s</title></rect>\n"
          "<text x=\"%d\" y=\"%d\" class=\"value\">%s</text>\n",
          kLabelWidth, y, std::max(width, 1), kBarHeight - 2,
          kColours[s % std::size(kColours)], Escape(bar.label),
          absl::StrFormat("%g", *bar.value), kLabelWidth + width + 6,
          y + kBarHeight - 4, absl::StrFormat("%g", *bar.value));
    }
  }
  if (chart.series.size() > 1) {
    for (size_t s = 0; s < chart.series.size(); ++s) {
      const int x = kLabelWidth + static_cast<int>(s % kLegendPerRow) * 150;
      const int y = 4 + static_cast<int>(s / kLegendPerRow) * 18;
      absl::StrAppendFormat(
          &svg,
          "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
          "fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"label\">%s"
          "</text>\n",
          x, y, kColours[s % std::size(kColours)], x + 16, y + 10,
          Escape(chart.series[s]));
    }
  }
  if (withheld > 0) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"4\" y=\"%d\" class=\"note\">%d value(s) "
                          "withheld: fewer than 5 persons</text>\n",
                          height - 8, withheld);
  }
  return svg + "</svg>\n";
}

class Figures {
 public:
  explicit Figures(const v1::Report& report) {
    for (const v1::Figure& f : report.figures()) by_id_[f.id()] = &f;
  }
  std::optional<double> Value(const std::string& id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second->suppressed()) return std::nullopt;
    return static_cast<double>(it->second->numerator());
  }
  bool Has(const std::string& id) const { return by_id_.contains(id); }
  // The ids that start with `prefix`, in report order, without it.
  std::vector<std::string> Suffixes(const v1::Report& report,
                                    absl::string_view prefix) const {
    std::vector<std::string> out;
    for (const v1::Figure& f : report.figures()) {
      absl::string_view id = f.id();
      if (absl::ConsumePrefix(&id, prefix) && !absl::StrContains(id, ".")) {
        out.emplace_back(id);
      }
    }
    return out;
  }

 private:
  std::map<std::string, const v1::Figure*> by_id_;
};

Chart Simple(const std::string& title, const Figures& figures,
             const std::vector<std::pair<std::string, std::string>>& rows) {
  Chart chart{title, {"count"}, {}, {}};
  for (const auto& [label, id] : rows) {
    if (!figures.Has(id)) continue;
    chart.categories.push_back(label);
    chart.bars.push_back({Bar{label, figures.Value(id)}});
  }
  return chart;
}

std::string Pretty(absl::string_view id) {
  return absl::StrReplaceAll(id, {{"_", " "}});
}

}  // namespace

std::string FigureValue(const v1::Figure& f) {
  if (f.suppressed()) return "withheld";
  if (f.share() && f.denominator() > 0) {
    return absl::StrFormat("%.1f%%", 100.0 *
                                         static_cast<double>(f.numerator()) /
                                         static_cast<double>(f.denominator()));
  }
  return absl::StrCat(f.numerator());
}

std::string ReportHtml(const v1::Report& report) {
  const Figures figures(report);
  std::vector<Chart> charts;
  {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const char* kind :
         {"preparatory", "employer_directed", "entrepreneur", "other"}) {
      rows.emplace_back(Pretty(kind),
                        absl::StrCat("tracks.ongoing.kind.", kind));
    }
    charts.push_back(Simple("Ongoing tracks by kind", figures, rows));
  }
  {
    Chart chart{"Tracks and employers by industry (SNI section)",
                {"tracks", "employers"},
                {},
                {}};
    for (const std::string& sni :
         figures.Suffixes(report, "tracks.ongoing.sni.")) {
      chart.categories.push_back(sni);
      chart.bars.push_back(
          {Bar{"tracks " + sni,
               figures.Value(absl::StrCat("tracks.ongoing.sni.", sni))},
           Bar{"employers " + sni,
               figures.Value(absl::StrCat("employers.ongoing.sni.", sni))}});
    }
    charts.push_back(chart);
  }
  {
    const std::vector<std::string> outcomes = {"working_unsubsidized",
                                               "working_subsidized", "studying",
                                               "other", "unknown"};
    Chart chart{"Outcomes after a completed track, by track kind", {}, {}, {}};
    for (const std::string& o : outcomes) chart.series.push_back(Pretty(o));
    for (const char* kind :
         {"preparatory", "employer_directed", "entrepreneur", "other"}) {
      chart.categories.push_back(Pretty(kind));
      std::vector<Bar>& row = chart.bars.emplace_back();
      for (const std::string& o : outcomes) {
        row.push_back(Bar{
            Pretty(o),
            figures.Value(absl::StrCat("outcomes.completed.", kind, ".", o))});
      }
    }
    charts.push_back(chart);
  }
  {
    Chart chart{"Gender: participants and outcomes", {"women", "men"}, {}, {}};
    for (const auto& [label, prefix] :
         std::vector<std::pair<std::string, std::string>>{
             {"active on the date", "participants.active"},
             {"started since the series start",
              "participants.started_since_series_start"},
             {"completed this year", "participations.completed_this_year"},
             {"working after completion", "outcomes.completed.working"},
             {"enrolled after a proposal", "proposals.enrolled"}}) {
      if (!figures.Has(prefix + ".women")) continue;
      chart.categories.push_back(label);
      chart.bars.push_back({Bar{"women", figures.Value(prefix + ".women")},
                            Bar{"men", figures.Value(prefix + ".men")}});
    }
    charts.push_back(chart);
  }

  std::string when =
      report.period().empty()
          ? absl::StrFormat("%04d-%02d-%02d", report.as_of().year(),
                            report.as_of().month(), report.as_of().day())
          : report.period();
  std::vector<std::string> scope;
  if (!report.scope().county_code().empty()) {
    scope.push_back("county " + report.scope().county_code());
  }
  if (!report.scope().municipality_codes().empty()) {
    scope.push_back(
        absl::StrCat("municipalities ",
                     absl::StrJoin(report.scope().municipality_codes(), ", ")));
  }
  if (!report.scope().track().empty()) scope.push_back(report.scope().track());
  if (!report.scope().agreement().empty()) {
    scope.push_back(report.scope().agreement());
  }
  const std::string scope_text =
      scope.empty() ? "the whole country" : absl::StrJoin(scope, "; ");

  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>jobtrack follow-up report ",
      Escape(when),
      "</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}\n"
      "table{border-collapse:collapse;margin:1em 0}\n"
      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}\n"
      "td:first-child,th:first-child{text-align:left;font-family:monospace}\n"
      "svg{display:block;margin:1em 0}\n"
      ".label{font-size:12px}.value{font-size:11px}\n"
      ".withheld,.note{font-size:11px;fill:#888;font-style:italic}\n"
      "</style>\n</head>\n<body>\n<h1>Follow-up of local job tracks</h1>\n"
      "<p id=\"about\">As of <b>",
      Escape(when), "</b>, ", Escape(scope_text), ". Known up to event ",
      report.known_at_sequence(), ".",
      report.small_cells_suppressed()
          ? " Figures built on 1&ndash;4 persons are withheld."
          : "",
      "</p>\n<h2>Charts</h2>\n");
  for (const Chart& chart : charts) {
    if (chart.categories.empty()) continue;
    absl::StrAppend(&html, "<h3>", Escape(chart.title), "</h3>\n", Svg(chart));
  }
  absl::StrAppend(&html,
                  "<h2>Figures</h2>\n<table id=\"figures\">\n<tr><th>figure"
                  "</th><th>numerator</th><th>denominator</th><th>value</th>"
                  "</tr>\n");
  for (const v1::Figure& f : report.figures()) {
    const std::string value = FigureValue(f);
    absl::StrAppend(
        &html, "<tr id=\"", Escape(f.id()), "\"><td>", Escape(f.id()),
        "</td><td>", f.suppressed() ? "" : absl::StrCat(f.numerator()),
        "</td><td>", f.suppressed() ? "" : absl::StrCat(f.denominator()),
        "</td><td>", value, "</td></tr>\n");
  }
  absl::StrAppend(&html, "</table>\n</body>\n</html>\n");
  return html;
}

}  // namespace jobtrack::ctl
