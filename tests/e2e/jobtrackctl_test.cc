// End-to-end: jobtrackctl against the real jobtrackd — CSV import with bad
// rows and re-runs, the output formats, proposals, and the follow-up
// report as an HTML page rendered by headless Chromium.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/daemon.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using e2e::Daemon;
using e2e::ReadFile;
using e2e::RunCommand;

class JobtrackctlTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    flags.push_back("--plaintext");
    daemon_ = std::make_unique<Daemon>(dir_.path(), flags);
    port_ = daemon_->WaitForPort();
    ASSERT_GT(port_, 0) << daemon_->Log();
  }

  // jobtrackctl with `arguments`; its stdout, and its exit code in `code`.
  std::string Ctl(const std::string& arguments, int* code = nullptr) {
    int exit_code = 0;
    std::string out =
        RunCommand(absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port_,
                                " ", arguments, " 2>", dir_.path(), "/ctl.err"),
                   &exit_code);
    if (code != nullptr) *code = exit_code;
    return out;
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_.path(), "/", name);
    std::ofstream(path) << text;
    return path;
  }

  // How many lines (after the header) `list COLLECTION --format=csv`
  // prints.
  int Count(const std::string& collection) {
    const std::string csv =
        Ctl(absl::StrCat("list ", collection, " --all --format=csv"));
    return static_cast<int>(std::count(csv.begin(), csv.end(), '\n')) - 1;
  }

  testing::TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  int port_ = 0;
};

TEST_F(JobtrackctlTest, ImportCreatesEachRowOnceAndNamesTheRejectedOnes) {
  Start({});
  const std::string module_json =
      Ctl("call ModuleService.CreateModule '{\"module\": {\"display_name\": "
          "\"Yrkesförare buss\", \"education_form\": \"AUB\", "
          "\"length_weeks\": 16, \"hours_per_week\": 40}}'");
  const size_t at = module_json.find("modules/");
  ASSERT_NE(at, std::string::npos) << module_json;
  const std::string module =
      module_json.substr(at, module_json.find('"', at) - at);

  const std::string employers = Write(
      "employers.csv",
      "display_name,organisation_number,sector,sni_code,municipality_code\n"
      "Västkust Linjetrafik AB,5560000076,PRIVATE,49311,1480\n"
      "\"Göteborgs Spårvägar, Buss AB\",5560000084,MUNICIPAL,49311,1480\n"
      "Bussbolaget Väst AB,5560000092,private,49311,1481\n"
      "Felaktigt Nummer AB,5560000077,PRIVATE,49311,1480\n");
  const std::string tracks = Write(
      "tracks.csv",
      "display_name,kind,ssyk_code,sni_code,municipality_codes,"
      "employer_organisation_numbers,status,modules,effective_date\n" +
          absl::StrCat("Bussförare Göteborg,EMPLOYER_DIRECTED,8331,49311,"
                       "1480;1481,5560000076;5560000084,OPEN,",
                       module, ",2026-01-01\n",
                       "Okänd arbetsgivare,EMPLOYER_DIRECTED,8331,49311,1480,"
                       "5560000100,OPEN,",
                       module, ",2026-01-01\n"));
  const std::string participants = Write(
      "participants.csv",
      "external_reference,personnummer,birth_year,gender,municipality_code,"
      "education_level,swedish_level,driving_licence,ssyk_interests\n"
      "af-1,198112189876,,MALE,1480,UPPER_SECONDARY,SWEDISH_B1,yes,8331\n"
      "af-2,,1990,FEMALE,1481,PRE_UPPER_SECONDARY,SWEDISH_A2,no,8331;5321\n"
      "af-3,,1985,ROBOT,1480,UPPER_SECONDARY,SWEDISH_B1,no,\n");

  int code = 0;
  std::string out = Ctl(absl::StrCat("import employers ", employers), &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(absl::StrContains(
      out, "4 rows: 3 created, 0 already present, 1 rejected"))
      << out;
  EXPECT_TRUE(
      absl::StrContains(out, "\n  line 5: employer.organisation_number"))
      << out;
  out = Ctl(absl::StrCat("import tracks ", tracks), &code);
  EXPECT_TRUE(absl::StrContains(
      out, "2 rows: 1 created, 0 already present, 1 rejected"))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out,
      "  line 3: column employer_organisation_numbers: no employer has "
      "organisation number 5560000100"))
      << out;
  out = Ctl(absl::StrCat("import participants ", participants), &code);
  EXPECT_TRUE(absl::StrContains(
      out, "3 rows: 2 created, 0 already present, 1 rejected"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "  line 4: column gender: `ROBOT`"))
      << out;
  // The personnummer is not echoed anywhere.
  EXPECT_FALSE(absl::StrContains(out, "8112189876"));

  // Again: nothing new.
  out = Ctl(absl::StrCat("import employers ", employers), &code);
  EXPECT_TRUE(absl::StrContains(
      out, "4 rows: 0 created, 3 already present, 1 rejected"))
      << out;
  out = Ctl(absl::StrCat("import tracks ", tracks), &code);
  EXPECT_TRUE(absl::StrContains(
      out, "2 rows: 0 created, 1 already present, 1 rejected"))
      << out;
  out = Ctl(absl::StrCat("import participants ", participants), &code);
  EXPECT_TRUE(absl::StrContains(
      out, "3 rows: 0 created, 2 already present, 1 rejected"))
      << out;
  EXPECT_EQ(Count("employers"), 3);
  EXPECT_EQ(Count("tracks"), 1);
  EXPECT_EQ(Count("participants"), 2);

  // A file that is not CSV at all, or a kind there is no import for.
  Write("broken.csv", "display_name\n\"never closed\n");
  out =
      Ctl(absl::StrCat("import employers ", dir_.path(), "/broken.csv"), &code);
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(absl::StrContains(out, "line 2: a quoted field never ends"))
      << out;
  Ctl(absl::StrCat("import modules ", employers), &code);
  EXPECT_EQ(code, 2);
}

TEST_F(JobtrackctlTest, TablesCsvProposalsAndHelp) {
  Start({"--demo_data"});
  const std::string csv = Ctl("list employers --format=csv");
  EXPECT_TRUE(absl::StartsWith(
      csv, "name,display_name,organisation_number,sole_trader,sector"))
      << csv;
  EXPECT_TRUE(
      absl::StrContains(csv, "\"Stockholms stad, äldreförvaltningen\""));
  const std::string table = Ctl("list tracks --format=table");
  EXPECT_TRUE(absl::StartsWith(table, "name ")) << table;
  EXPECT_TRUE(absl::StrContains(table, "Bussförare i Göteborgsregionen"));
  const std::string report = Ctl("report --as_of=2025-12-31 --format=csv");
  EXPECT_TRUE(absl::StrContains(report, "participations.ended_this_year,9,"))
      << report;
  // The README's example data loads whole, and its jobseekers get
  // proposals.
  for (const char* kind : {"employers", "tracks", "participants"}) {
    int code = 0;
    const std::string out =
        Ctl(absl::StrCat("import ", kind, " ", JOBTRACK_SOURCE_DIR,
                         "/deploy/examples/", kind, ".csv"),
            &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_TRUE(absl::StrContains(out, " rejected\n") &&
                absl::StrContains(out, ", 0 rejected"))
        << out;
  }
  // An Örebro jobseeker from the examples (none is enrolled): proposals as
  // a table with every factor, and as CSV.
  const std::string orebro =
      Ctl("list participants --format=csv --filter='municipality = \"1880\"'");
  std::vector<std::string> lines = absl::StrSplit(orebro, '\n');
  ASSERT_GE(lines.size(), 2u) << orebro;
  const std::string bus = Ctl(absl::StrCat(
      "proposals ", lines[1].substr(0, lines[1].find(',')), " --format=csv"));
  EXPECT_TRUE(absl::StrContains(bus, "\n1,tracks/")) << bus;
  const std::string proposals =
      Ctl(absl::StrCat("proposals ", lines[1].substr(0, lines[1].find(','))));
  EXPECT_TRUE(
      absl::StartsWith(proposals, "rank  track                    intake"))
      << proposals;
  for (const char* factor :
       {"occupation", "industry", "geography", "start", "plan_length", "demand",
        "outcome", "next_track"}) {
    EXPECT_TRUE(absl::StrContains(proposals, factor)) << factor;
  }
  int code = 0;
  const std::string help = Ctl("import --help", &code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(absl::StrContains(help, "employer_organisation_numbers"));
}

// The HTML report is one file a browser shows without a server: Chromium,
// headless, renders it, and the rendered page holds the figures and the
// charts.
TEST_F(JobtrackctlTest, HtmlReportRendersInHeadlessChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "install Debian's chromium (deploy/dev.sh does)";
  Start({"--demo_data"});
  const std::string page = absl::StrCat(dir_.path(), "/report.html");
  int code = 0;
  Ctl(absl::StrCat("report --as_of=2025-12-31 --format=html --out=", page),
      &code);
  ASSERT_EQ(code, 0);
  const std::string html = ReadFile(page);
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  EXPECT_FALSE(absl::StrContains(html, "http://127.0.0.1"));
  const std::string chromium = absl::StrCat(
      "/usr/bin/chromium --headless --no-sandbox --disable-gpu "
      "--disable-dev-shm-usage --user-data-dir=",
      dir_.path(), "/chromium");
  const std::string dom = RunCommand(
      absl::StrCat(chromium, " --dump-dom file://", page, " 2>/dev/null"),
      &code);
  ASSERT_EQ(code, 0);
  for (const char* text :
       {"Follow-up of local job tracks", "As of <b>2025-12-31</b>",
        "Ongoing tracks by kind", "Tracks and employers by industry",
        "Outcomes after a completed track, by track kind",
        "Gender: participants and outcomes",
        "<tr id=\"participations.ended_this_year\"><td>participations."
        "ended_this_year</td><td>9</td>"}) {
    EXPECT_TRUE(absl::StrContains(dom, text)) << text;
  }
  EXPECT_GE(std::count(dom.begin(), dom.end(), '<'), 100);
  EXPECT_TRUE(absl::StrContains(dom, "<svg")) << dom.substr(0, 500);
  const std::string shot = absl::StrCat(dir_.path(), "/report.png");
  RunCommand(absl::StrCat(chromium, " --window-size=1200,2400 --screenshot=",
                          shot, " file://", page, " >/dev/null 2>&1"),
             &code);
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 20000u);
}

}  // namespace
}  // namespace jobtrack
