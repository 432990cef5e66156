// End-to-end: the real jobtrackd binary on a free loopback port.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "jobtrack/v1/admin.grpc.pb.h"
#include "jobtrack/v1/audit.grpc.pb.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/employer.grpc.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "jobtrack/v1/participation_service.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"
#include "tests/e2e/daemon.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using e2e::Connect;
using e2e::Daemon;
using e2e::FreePort;
using e2e::HttpGet;
using e2e::ReadFile;
using e2e::RunCommand;

TEST(JobtrackdTest, AcknowledgedWritesSurviveSigkill) {
  testing::TempDir dir;
  std::vector<std::string> employers, tracks;
  std::string module;
  {
    Daemon daemon(dir.path(), {"--plaintext"});
    int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.Log();
    auto channel = Connect(port);
    auto employer_stub = v1::EmployerService::NewStub(channel);
    auto module_stub = v1::ModuleService::NewStub(channel);
    auto track_stub = v1::TrackService::NewStub(channel);

    v1::CreateModuleRequest m;
    m.mutable_module()->set_display_name("Praktik");
    m.mutable_module()->set_education_form(v1::WORK_PLACEMENT);
    m.mutable_module()->set_length_weeks(4);
    m.mutable_module()->set_hours_per_week(40);
    v1::Module created_module;
    grpc::ClientContext mc;
    ASSERT_TRUE(module_stub->CreateModule(&mc, m, &created_module).ok());
    module = created_module.name();

    const char* numbers[] = {"5560360793", "2120000142", "5566778899"};
    for (const char* number : numbers) {
      v1::CreateEmployerRequest e;
      e.mutable_employer()->set_display_name(
          absl::StrCat("Arbetsgivare ", number));
      e.mutable_employer()->set_organisation_number(number);
      e.mutable_employer()->set_sector(v1::Employer::PRIVATE);
      e.mutable_employer()->set_sni_code("52100");
      e.mutable_employer()->set_municipality_code("0680");
      v1::Employer out;
      grpc::ClientContext c;
      ASSERT_TRUE(employer_stub->CreateEmployer(&c, e, &out).ok());
      employers.push_back(out.name());

      v1::CreateTrackRequest t;
      t.mutable_track()->set_display_name(absl::StrCat("Lager ", number));
      t.mutable_track()->set_kind(v1::Track::EMPLOYER_DIRECTED);
      t.mutable_track()->set_ssyk_code("4322");
      t.mutable_track()->set_sni_code("52100");
      t.mutable_track()->add_municipality_codes("0680");
      t.mutable_track()->add_employers(out.name());
      t.mutable_track()->set_status(v1::Track::OPEN);
      t.mutable_track()->mutable_chain()->add_stages()->add_steps()->set_module(
          module);
      v1::Track track;
      grpc::ClientContext tc;
      ASSERT_TRUE(track_stub->CreateTrack(&tc, t, &track).ok());
      tracks.push_back(track.name());
    }
    // Killed right after the last acknowledgement: no flush, no shutdown.
    EXPECT_TRUE(WIFSIGNALED(daemon.Kill(SIGKILL)));
  }
  Daemon restarted(dir.path(), {"--plaintext"});
  int port = restarted.WaitForPort();
  ASSERT_GT(port, 0) << restarted.Log();
  auto channel = Connect(port);
  auto employer_stub = v1::EmployerService::NewStub(channel);
  auto track_stub = v1::TrackService::NewStub(channel);
  for (size_t i = 0; i < tracks.size(); ++i) {
    v1::GetTrackRequest get;
    get.set_name(tracks[i]);
    v1::Track track;
    grpc::ClientContext c;
    grpc::Status s = track_stub->GetTrack(&c, get, &track);
    ASSERT_TRUE(s.ok()) << tracks[i] << ": " << s.error_message();
    EXPECT_EQ(track.employers(0), employers[i]);
    EXPECT_EQ(track.chain().stages(0).steps(0).module(), module);
  }
  v1::ListTracksRequest list;
  list.set_filter(absl::StrCat("module = \"", module, "\""));
  v1::ListTracksResponse response;
  grpc::ClientContext c;
  ASSERT_TRUE(track_stub->ListTracks(&c, list, &response).ok());
  EXPECT_EQ(response.tracks_size(), 3);
}

TEST(JobtrackdTest,
     NewcomerListsDemoTracksWithJobtrackctlAndSigtermStopsCleanly) {
  testing::TempDir dir;
  Daemon daemon(dir.path(), {"--plaintext", "--demo_data"});
  int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Log();
  int code = 0;
  const std::string out = RunCommand(
      absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                   " list tracks --filter='municipality = \"1480\"'"),
      &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("Bussförare i Göteborgsregionen"), std::string::npos)
      << out;
  const std::string all =
      RunCommand(absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                              " list tracks"),
                 &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(all.find("Entreprenörspår"), std::string::npos);
  EXPECT_NE(all.find("Förberedande spår"), std::string::npos);
  // The Göteborg demo jobseeker gets the bus-driver track proposed, with
  // explained factors, through the CLI.
  auto first_name = [](const std::string& json, const std::string& collection) {
    const size_t at = json.find("\"name\": \"" + collection + "/");
    if (at == std::string::npos) return std::string();
    const size_t start = json.find('"', at + 7) + 1;
    return json.substr(start, json.find('"', start) - start);
  };
  const std::string bus_track = first_name(out, "tracks");
  const std::string people = RunCommand(
      absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                   " list participants --filter='municipality = \"1480\"'"),
      &code);
  const std::string jobseeker = first_name(people, "participants");
  ASSERT_FALSE(jobseeker.empty()) << people;
  const std::string proposals = RunCommand(
      absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                   " call MatchingService.ProposeTracks '{\"participant\": \"",
                   jobseeker, "\", \"include_near_misses\": true}'"),
      &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(proposals.find("\"track\": \"" + bus_track + "\""),
            std::string::npos)
      << proposals;
  EXPECT_NE(proposals.find("\"factor\": \"occupation\""), std::string::npos);
  EXPECT_NE(proposals.find("shares 4 of 4 digits"), std::string::npos)
      << proposals;

  // A reporting job pulls the follow-up for the last period.
  const std::string report =
      RunCommand(absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                              " call FollowUpService.GetReport "
                              "'{\"period\": \"periods/2026-09-30\"}'"),
                 &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(report.find("\"id\": \"tracks.ongoing\""), std::string::npos)
      << report;
  // The demo history: ten Jönköping participations, exported as JSON Lines
  // with pseudonymous ids only.
  const std::string rows = RunCommand(
      absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                   " call FollowUpService.ExportParticipations "
                   "'{\"as_of\": {\"year\": 2026, \"month\": 11, "
                   "\"day\": 1}, \"scope\": {\"county_code\": \"06\"}}'"),
      &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 10) << rows;
  EXPECT_EQ(rows.find("participants/"), std::string::npos) << rows;
  EXPECT_NE(rows.find("\"state\":\"COMPLETED\""), std::string::npos) << rows;

  // A bad request through the CLI names the field and fails.
  RunCommand(
      absl::StrCat(JOBTRACKCTL_PATH, " --server=127.0.0.1:", port,
                   " call EmployerService.CreateEmployer "
                   "'{\"employer\": {\"organisation_number\": \"123\"}}' "
                   "2>",
                   dir.path(), "/ctl.err"),
      &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(
      ReadFile(dir.path() + "/ctl.err").find("employer.organisation_number"),
      std::string::npos);

  int status = daemon.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << daemon.Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(daemon.Log().find("stopped cleanly"), std::string::npos);

  // Demo data is seeded only into an empty database.
  Daemon again(dir.path(), {"--plaintext", "--demo_data"});
  ASSERT_GT(again.WaitForPort(), 0) << again.Log();
  EXPECT_NE(again.Log().find("demo data not seeded"), std::string::npos);
}

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// Creates an employer, a module, a track and a COMMON intake; returns the
// intake's name.
std::string MakeIntake(const std::shared_ptr<grpc::Channel>& channel) {
  auto employers = v1::EmployerService::NewStub(channel);
  auto modules = v1::ModuleService::NewStub(channel);
  auto tracks = v1::TrackService::NewStub(channel);
  v1::CreateEmployerRequest e;
  e.mutable_employer()->set_display_name("Vård AB");
  e.mutable_employer()->set_organisation_number("5560360793");
  e.mutable_employer()->set_sector(v1::Employer::PRIVATE);
  e.mutable_employer()->set_sni_code("87301");
  e.mutable_employer()->set_municipality_code("0180");
  v1::Employer employer;
  grpc::ClientContext c1;
  EXPECT_TRUE(employers->CreateEmployer(&c1, e, &employer).ok());
  v1::CreateModuleRequest m;
  m.mutable_module()->set_display_name("Undersköterska");
  m.mutable_module()->set_education_form(v1::KOMVUX);
  m.mutable_module()->set_length_weeks(20);
  m.mutable_module()->set_hours_per_week(25);
  v1::Module module;
  grpc::ClientContext c2;
  EXPECT_TRUE(modules->CreateModule(&c2, m, &module).ok());
  v1::CreateTrackRequest t;
  t.mutable_track()->set_display_name("Undersköterska, Stockholm");
  t.mutable_track()->set_kind(v1::Track::EMPLOYER_DIRECTED);
  t.mutable_track()->set_ssyk_code("5321");
  t.mutable_track()->set_sni_code("Q");
  t.mutable_track()->add_municipality_codes("0180");
  t.mutable_track()->add_employers(employer.name());
  t.mutable_track()->set_status(v1::Track::OPEN);
  t.mutable_track()->mutable_chain()->add_stages()->add_steps()->set_module(
      module.name());
  *t.mutable_effective_date() = Day(2023, 8, 1);
  v1::Track track;
  grpc::ClientContext c3;
  EXPECT_TRUE(tracks->CreateTrack(&c3, t, &track).ok());
  v1::CreateIntakeRequest i;
  i.set_parent(track.name());
  i.mutable_intake()->set_start_type(v1::Intake::COMMON);
  *i.mutable_intake()->mutable_start_date() = Day(2024, 1, 15);
  i.mutable_intake()->set_seats(12);
  v1::Intake intake;
  grpc::ClientContext c4;
  EXPECT_TRUE(tracks->CreateIntake(&c4, i, &intake).ok());
  return intake.name();
}

// Reads `count` events after `after` from a fresh stream.
std::vector<v1::Event> ReadChanges(
    const std::shared_ptr<grpc::Channel>& channel, int64_t after,
    size_t count) {
  auto stub = v1::ChangeService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  v1::WatchChangesRequest request;
  request.set_after_sequence(after);
  auto reader = stub->WatchChanges(&context, request);
  std::vector<v1::Event> events;
  v1::Event event;
  while (events.size() < count && reader->Read(&event)) events.push_back(event);
  context.TryCancel();
  reader->Finish().IgnoreError();
  return events;
}

// The end-to-end walk of one jobseeker: a track with an intake, a
// participant with a personnummer, proposed, selected, enrolled, a step
// done, completed, an outcome after 90 days. Returns the participation.
std::string WalkThroughATrack(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& personnummer) {
  const std::string intake = MakeIntake(channel);
  const std::string track = intake.substr(0, intake.find("/intakes/"));
  auto participants = v1::ParticipantService::NewStub(channel);
  auto participations = v1::ParticipationService::NewStub(channel);

  v1::CreateParticipantRequest create;
  create.mutable_participant()->set_external_reference("af-42");
  create.mutable_participant()->set_personnummer(personnummer);
  create.mutable_participant()->set_gender(v1::FEMALE);
  create.mutable_participant()->set_municipality_code("0180");
  v1::Participant participant;
  grpc::ClientContext pc;
  grpc::Status created =
      participants->CreateParticipant(&pc, create, &participant);
  EXPECT_TRUE(created.ok()) << created.error_message();

  auto call = [&](auto method, const auto& request) {
    grpc::ClientContext context;
    v1::Participation out;
    grpc::Status s = ((*participations).*method)(&context, request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  v1::ProposeParticipationRequest propose;
  propose.set_participant(participant.name());
  propose.set_track(track);
  *propose.mutable_effective_date() = Day(2024, 1, 2);
  const std::string participation =
      call(&v1::ParticipationService::Stub::ProposeParticipation, propose)
          .name();
  v1::SelectParticipationRequest select;
  select.set_name(participation);
  *select.mutable_effective_date() = Day(2024, 1, 5);
  call(&v1::ParticipationService::Stub::SelectParticipation, select);
  v1::EnrollParticipationRequest enroll;
  enroll.set_name(participation);
  enroll.set_intake(intake);
  *enroll.mutable_effective_date() = Day(2024, 1, 10);
  call(&v1::ParticipationService::Stub::EnrollParticipation, enroll);
  v1::ReportStepProgressRequest step;
  step.set_name(participation);
  step.set_step_id("1");
  step.set_status(v1::STEP_DONE);
  *step.mutable_effective_date() = Day(2024, 5, 31);
  call(&v1::ParticipationService::Stub::ReportStepProgress, step);
  v1::CompleteParticipationRequest complete;
  complete.set_name(participation);
  *complete.mutable_end_date() = Day(2024, 6, 1);
  call(&v1::ParticipationService::Stub::CompleteParticipation, complete);
  v1::RecordOutcomeRequest outcome;
  outcome.set_name(participation);
  outcome.set_point(v1::AFTER_90_DAYS);
  outcome.set_kind(v1::WORK_UNSUBSIDIZED);
  *outcome.mutable_effective_date() = Day(2024, 9, 2);
  v1::Participation done =
      call(&v1::ParticipationService::Stub::RecordOutcome, outcome);
  EXPECT_EQ(done.state(), v1::Participation::COMPLETED);
  EXPECT_EQ(done.outcomes_size(), 1);
  return participation;
}

TEST(JobtrackdTest,
     ParticipantFromProposalToOutcomeAndChangeStreamAcrossRestart) {
  testing::TempDir dir;
  std::string participation;
  std::vector<v1::Event> before;
  {
    Daemon daemon(dir.path(), {"--plaintext"});
    int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.Log();
    auto channel = Connect(port);
    participation = WalkThroughATrack(channel, "811218-9876");
    before = ReadChanges(channel, 0, 7);  // Participant + 6 life-cycle events.
    ASSERT_EQ(before.size(), 7u);
    for (const v1::Event& e : before) {  // The stream never carries it.
      EXPECT_EQ(e.SerializeAsString().find("811218"), std::string::npos);
      EXPECT_EQ(e.SerializeAsString().find("af-42"), std::string::npos);
    }
    EXPECT_TRUE(WIFSIGNALED(daemon.Kill(SIGKILL)));
  }
  Daemon restarted(dir.path(), {"--plaintext"});
  int port = restarted.WaitForPort();
  ASSERT_GT(port, 0) << restarted.Log();
  auto channel = Connect(port);
  // The state as of a day in the middle is still derived from the log.
  auto participations = v1::ParticipationService::NewStub(channel);
  v1::GetParticipationRequest get;
  get.set_name(participation);
  *get.mutable_as_of() = Day(2024, 3, 1);
  v1::Participation then;
  grpc::ClientContext gc;
  ASSERT_TRUE(participations->GetParticipation(&gc, get, &then).ok());
  EXPECT_EQ(then.state(), v1::Participation::ENROLLED);
  // Resume from the middle: the rest, then a new event continues the count.
  auto rest = ReadChanges(channel, before[3].sequence(), 3);
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < rest.size(); ++i) {
    EXPECT_EQ(rest[i].sequence(), before[4 + i].sequence());
    EXPECT_EQ(rest[i].SerializeAsString(), before[4 + i].SerializeAsString());
  }
  auto participants = v1::ParticipantService::NewStub(channel);
  v1::EraseParticipantRequest erase;
  erase.set_name(before[0].resource());
  v1::Participant erased;
  grpc::ClientContext ec;
  ASSERT_TRUE(participants->EraseParticipant(&ec, erase, &erased).ok());
  auto tombstone = ReadChanges(channel, before.back().sequence(), 1);
  ASSERT_EQ(tombstone.size(), 1u);
  EXPECT_EQ(tombstone[0].sequence(), before.back().sequence() + 1);
  EXPECT_TRUE(tombstone[0].has_erased());
  // The audit log kept every call on the participation, across the
  // SIGKILL, and no number.
  auto audit = v1::AuditService::NewStub(channel);
  v1::ListAuditEventsRequest about;
  about.set_filter(absl::StrCat("resource = \"", participation, "\""));
  v1::ListAuditEventsResponse log;
  grpc::ClientContext ac;
  ASSERT_TRUE(audit->ListAuditEvents(&ac, about, &log).ok());
  std::vector<std::string> methods;
  for (const v1::AuditEvent& e : log.audit_events()) {
    methods.push_back(e.method());
    EXPECT_EQ(e.principal(), "local-developer");
    EXPECT_EQ(e.SerializeAsString().find("811218"), std::string::npos);
  }
  EXPECT_EQ(methods,
            (std::vector<std::string>{
                "ProposeParticipation", "SelectParticipation",
                "EnrollParticipation", "ReportStepProgress",
                "CompleteParticipation", "RecordOutcome", "GetParticipation"}));
  // The planted personnummer is nowhere in the server's log.
  EXPECT_EQ(restarted.Log().find("811218"), std::string::npos);
}

// A backup taken while two clients write restores, offline, into a new
// directory; a server started there holds every write acknowledged before
// the backup was asked for, and serves reads and writes.
TEST(JobtrackdTest, BackupTakenUnderLoadRestoresToAWorkingServer) {
  testing::TempDir dir;
  const std::string backups = dir.path() + "/backups";
  std::vector<std::string> before_backup;
  int64_t backed_up_sequence = 0;
  {
    Daemon daemon(dir.path(), {"--plaintext", "--backup_dir=" + backups});
    int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.Log();
    auto channel = Connect(port);
    std::atomic<bool> stop{false};
    absl::Mutex mu;
    std::vector<std::string> acknowledged;
    auto writer = [&](int id) {
      auto modules = v1::ModuleService::NewStub(channel);
      for (int n = 0; !stop.load(); ++n) {
        v1::CreateModuleRequest m;
        m.mutable_module()->set_display_name(
            absl::StrCat("Modul ", id, "-", n));
        m.mutable_module()->set_education_form(v1::AUB);
        m.mutable_module()->set_length_weeks(4);
        m.mutable_module()->set_hours_per_week(40);
        v1::Module out;
        grpc::ClientContext c;
        if (modules->CreateModule(&c, m, &out).ok()) {
          absl::MutexLock lock(&mu);
          acknowledged.push_back(out.name());
        }
      }
    };
    std::thread a(writer, 1), b(writer, 2);
    auto admin = v1::AdminService::NewStub(channel);
    // Let the writers get going, then back up while they write.
    for (int i = 0; i < 600; ++i) {
      {
        absl::MutexLock lock(&mu);
        if (acknowledged.size() >= 50) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    {
      absl::MutexLock lock(&mu);
      before_backup = acknowledged;
    }
    v1::Backup backup;
    grpc::ClientContext bc;
    grpc::Status s = admin->CreateBackup(&bc, {}, &backup);
    // Keep writing a little after the backup.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
    a.join();
    b.join();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(backup.name(), "backups/1");
    EXPECT_GT(backup.size_bytes(), 0);
    backed_up_sequence = backup.known_at_sequence();
    v1::VerifyBackupRequest verify;
    verify.set_name(backup.name());
    v1::Backup verified;
    grpc::ClientContext vc;
    ASSERT_TRUE(admin->VerifyBackup(&vc, verify, &verified).ok());
    EXPECT_TRUE(verified.verified());
    v1::ListBackupsResponse listed;
    grpc::ClientContext lc;
    ASSERT_TRUE(admin->ListBackups(&lc, {}, &listed).ok());
    EXPECT_EQ(listed.backups_size(), 1);
    EXPECT_GE(before_backup.size(), 50u);
    EXPECT_TRUE(WIFEXITED(daemon.Kill(SIGTERM)));
  }
  // Restore refuses a directory in use, then restores into a new one.
  int code = 0;
  RunCommand(absl::StrCat(JOBTRACKD_PATH, " --data_dir=", dir.path(),
                          "/data --backup_dir=", backups,
                          " --restore_backup=1 2>/dev/null"),
             &code);
  EXPECT_NE(code, 0);
  const std::string restored = dir.path() + "/restored";
  std::filesystem::create_directories(restored);
  RunCommand(absl::StrCat(JOBTRACKD_PATH, " --data_dir=", restored,
                          "/data --backup_dir=", backups,
                          " --restore_backup=1 2>/dev/null"),
             &code);
  ASSERT_EQ(code, 0);
  // The PII key travels separately from the backup.
  std::filesystem::copy_file(dir.path() + "/data.pii.key",
                             restored + "/data.pii.key");
  Daemon daemon(restored, {"--plaintext"});
  int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Log();
  auto channel = Connect(port);
  auto modules = v1::ModuleService::NewStub(channel);
  for (const std::string& name : before_backup) {
    v1::GetModuleRequest get;
    get.set_name(name);
    v1::Module m;
    grpc::ClientContext c;
    EXPECT_TRUE(modules->GetModule(&c, get, &m).ok()) << name;
  }
  // It serves: a write, the change stream continuing the log, a report.
  v1::CreateModuleRequest m;
  m.mutable_module()->set_display_name("Efter återställning");
  m.mutable_module()->set_education_form(v1::KOMVUX);
  m.mutable_module()->set_length_weeks(10);
  m.mutable_module()->set_hours_per_week(20);
  v1::Module created;
  grpc::ClientContext mc;
  ASSERT_TRUE(modules->CreateModule(&mc, m, &created).ok());
  auto follow_up = v1::FollowUpService::NewStub(channel);
  v1::GetReportRequest report_request;
  *report_request.mutable_as_of() = Day(2026, 11, 1);
  v1::Report report;
  grpc::ClientContext rc;
  EXPECT_TRUE(follow_up->GetReport(&rc, report_request, &report).ok());
  EXPECT_GE(report.known_at_sequence(), backed_up_sequence);
  // And the end-to-end walk of a jobseeker through a track passes on it.
  const std::string walked = WalkThroughATrack(channel, "19811218-9876");
  auto participations = v1::ParticipationService::NewStub(channel);
  v1::GetParticipationRequest get;
  get.set_name(walked);
  v1::Participation after;
  grpc::ClientContext gc;
  ASSERT_TRUE(participations->GetParticipation(&gc, get, &after).ok());
  EXPECT_EQ(after.state(), v1::Participation::COMPLETED);
}

// Prometheus metrics on their own port: RPCs by method and code with
// latency histograms, open change streams, participations by state and
// RocksDB's figures.
TEST(JobtrackdTest, MetricsArePrometheusTextOnTheirOwnPort) {
  testing::TempDir dir;
  const int metrics_port = FreePort();
  Daemon daemon(dir.path(),
                {"--plaintext", "--demo_data",
                 absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port)});
  int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Log();
  auto channel = Connect(port);
  auto tracks = v1::TrackService::NewStub(channel);
  for (int i = 0; i < 2; ++i) {
    v1::ListTracksResponse out;
    grpc::ClientContext c;
    ASSERT_TRUE(tracks->ListTracks(&c, {}, &out).ok());
  }
  v1::GetTrackRequest missing;
  missing.set_name("tracks/absent");
  v1::Track track;
  grpc::ClientContext gc;
  EXPECT_EQ(tracks->GetTrack(&gc, missing, &track).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // A subscriber stays connected while the metrics are read.
  auto changes = v1::ChangeService::NewStub(channel);
  grpc::ClientContext wc;
  auto watch = changes->WatchChanges(&wc, {});
  v1::Event first;
  ASSERT_TRUE(watch->Read(&first));

  const std::string page = HttpGet(metrics_port, "/metrics");
  ASSERT_TRUE(absl::StartsWith(page, "HTTP/1.1 200 OK")) << page;
  EXPECT_TRUE(absl::StrContains(page, "text/plain; version=0.0.4"));
  const std::string list = "service=\"TrackService\",method=\"ListTracks\"";
  for (const std::string& line :
       {"jobtrack_rpc_requests_total{" + list + ",code=\"OK\"} 2",
        std::string("jobtrack_rpc_requests_total{service=\"TrackService\","
                    "method=\"GetTrack\",code=\"NOT_FOUND\"} 1"),
        "jobtrack_rpc_latency_seconds_count{" + list + "} 2",
        "jobtrack_rpc_latency_seconds_bucket{" + list + ",le=\"+Inf\"} 2",
        std::string("jobtrack_change_stream_subscribers 1"),
        // The demo data's ten Jönköping participations.
        std::string("jobtrack_participations{state=\"ENROLLED\"} 1"),
        std::string("jobtrack_participations{state=\"COMPLETED\"} 7"),
        std::string("jobtrack_participations{state=\"INTERRUPTED\"} 2"),
        std::string("# TYPE rocksdb_wal_syncs_total counter")}) {
    EXPECT_TRUE(absl::StrContains(page, "\n" + line + "\n")) << line;
  }
  EXPECT_TRUE(absl::StrContains(
      page, "rocksdb_estimated_keys{column_family=\"records\"} "));
  EXPECT_TRUE(absl::StrContains(
      page, "rocksdb_memtable_pinned_bytes{column_family=\"records\"} "));
  // Memory: the process's resident set, and the allocator's own split.
  struct MemoryFigure {
    std::string name;
    uint64_t at_least;  // What a serving process surely holds; 0 for free.
  };
  std::vector<MemoryFigure> memory = {
      {"process_resident_memory_bytes", 1 << 20}};
#ifdef JOBTRACK_TCMALLOC
  memory.insert(memory.end(), {{"jobtrack_heap_allocated_bytes", 1 << 20},
                               {"jobtrack_heap_free_bytes", 0},
                               {"jobtrack_heap_thread_cache_bytes", 0}});
#endif
  for (const MemoryFigure& figure : memory) {
    const size_t at = page.find("\n" + figure.name + " ");
    ASSERT_NE(at, std::string::npos) << figure.name;
    const size_t from = at + figure.name.size() + 2;
    uint64_t bytes = 0;
    ASSERT_TRUE(absl::SimpleAtoi(
        page.substr(from, page.find('\n', from) - from), &bytes))
        << figure.name;
    EXPECT_GE(bytes, figure.at_least) << figure.name;
  }
  // No personal data and no resource names in the exposition.
  EXPECT_FALSE(absl::StrContains(page, "participants/"));
  EXPECT_TRUE(
      absl::StartsWith(HttpGet(metrics_port, "/"), "HTTP/1.1 404 Not Found"));
  wc.TryCancel();
  watch->Finish().IgnoreError();
}

// The health-only port answers gRPC health checks in plaintext and serves
// no other method.
TEST(JobtrackdTest, HealthPortAnswersProbesAndNothingElse) {
  testing::TempDir dir;
  const int health_port = FreePort();
  Daemon daemon(
      dir.path(),
      {"--plaintext", absl::StrCat("--health_listen=127.0.0.1:", health_port)});
  ASSERT_GT(daemon.WaitForPort(), 0) << daemon.Log();
  auto channel = Connect(health_port);
  auto call = [&](const std::string& method, std::string* response) {
    return testing::CallWithBytes(channel, method, "", response).error_code();
  };
  std::string health;
  ASSERT_EQ(call("/grpc.health.v1.Health/Check", &health),
            grpc::StatusCode::OK);
  EXPECT_EQ(health, e2e::kHealthServing);
  std::string ignored;
  EXPECT_EQ(call("/jobtrack.v1.TrackService/ListTracks", &ignored),
            grpc::StatusCode::UNIMPLEMENTED);
}

// TLS end to end with certificates made here by openssl: a token over TLS,
// a client certificate (mutual TLS) identifying a reporter, refusals
// without credentials or without TLS, and a token revoked by SIGHUP.
TEST(JobtrackdTest, TlsTokensAndClientCertificatesGuardEveryCall) {
  testing::TempDir dir;
  const std::string d = dir.path();
  int code = 0;
  RunCommand(
      absl::StrCat(
          "cd ", d,
          " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
          "-out ca.pem -days 2 -subj '/CN=jobtrack test CA' 2>/dev/null"
          " && openssl req -newkey rsa:2048 -nodes -keyout server.key "
          "-out server.csr -subj '/CN=localhost' 2>/dev/null"
          " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext"
          " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
          "-CAcreateserial -out server.pem -days 2 -extfile san.ext "
          "2>/dev/null"
          " && openssl req -newkey rsa:2048 -nodes -keyout client.key "
          "-out client.csr -subj '/CN=reporting.example' 2>/dev/null"
          " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
          "-CAcreateserial -out client.pem -days 2 2>/dev/null"
          " && chmod 600 server.key"),
      &code);
  ASSERT_EQ(code, 0) << "openssl failed";
  const std::string ctl = JOBTRACKCTL_PATH;
  RunCommand(absl::StrCat(ctl, " principal admin ADMIN > ", d,
                          "/principals.txtpb 2> ", d, "/admin.token"),
             &code);
  ASSERT_EQ(code, 0);
  RunCommand(absl::StrCat(ctl,
                          " principal reporting-job REPORTER "
                          "--certificate_identity=reporting.example >> ",
                          d, "/principals.txtpb 2>/dev/null"),
             &code);
  ASSERT_EQ(code, 0);
  const std::string principals = ReadFile(d + "/principals.txtpb");
  chmod((d + "/principals.txtpb").c_str(), 0600);

  Daemon daemon(
      d, {"--tls_cert_file=" + d + "/server.pem",
          "--tls_key_file=" + d + "/server.key",
          "--tls_client_ca_file=" + d + "/ca.pem",
          "--principals_file=" + d + "/principals.txtpb", "--demo_data"});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Log();
  EXPECT_NE(daemon.Log().find("client certificates verified"),
            std::string::npos);
  const std::string tls =
      absl::StrCat(ctl, " --server=127.0.0.1:", port, " --tls_ca_file=", d,
                   "/ca.pem --tls_server_name=localhost");
  auto run = [&](const std::string& flags, const std::string& command) {
    return RunCommand(
        absl::StrCat(tls, " ", flags, " ", command, " 2>", d, "/ctl.err"),
        &code);
  };
  // A token over TLS.
  const std::string modules =
      run(absl::StrCat("--token_file=", d, "/admin.token"), "list modules");
  EXPECT_EQ(code, 0) << ReadFile(d + "/ctl.err");
  EXPECT_NE(modules.find("modules/"), std::string::npos) << modules;
  // No credentials.
  run("", "list modules");
  EXPECT_EQ(code, 1);
  EXPECT_NE(ReadFile(d + "/ctl.err").find("UNAUTHENTICATED"),
            std::string::npos);
  // No TLS.
  RunCommand(absl::StrCat(ctl, " --server=127.0.0.1:", port, " --token_file=",
                          d, "/admin.token list modules 2>/dev/null"),
             &code);
  EXPECT_EQ(code, 1);
  // The reporter, by its client certificate: reports, suppressed; no
  // catalogue.
  const std::string mtls = absl::StrCat(
      "--tls_cert_file=", d, "/client.pem --tls_key_file=", d, "/client.key");
  const std::string report =
      run(mtls,
          "call FollowUpService.GetReport "
          "'{\"as_of\": {\"year\": 2026, \"month\": 11, \"day\": 1}}'");
  EXPECT_EQ(code, 0) << ReadFile(d + "/ctl.err");
  EXPECT_NE(report.find("\"small_cells_suppressed\": true"), std::string::npos)
      << report;
  run(mtls, "list modules");
  EXPECT_EQ(code, 1);
  EXPECT_NE(ReadFile(d + "/ctl.err").find("PERMISSION_DENIED"),
            std::string::npos);

  // Revocation: the admin entry leaves the file; SIGHUP reloads it.
  {
    std::ofstream(d + "/principals.txtpb")
        << principals.substr(principals.find("principals {", 1));
  }
  daemon.Signal(SIGHUP);
  for (int i = 0;
       i < 600 && daemon.Log().find("principals reloaded") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  run(absl::StrCat("--token_file=", d, "/admin.token"), "list modules");
  EXPECT_EQ(code, 1);
  EXPECT_NE(ReadFile(d + "/ctl.err").find("UNAUTHENTICATED"),
            std::string::npos);
  EXPECT_EQ(daemon.Log().find(ReadFile(d + "/admin.token").substr(0, 64)),
            std::string::npos)
      << "a token reached the log";
  daemon.Kill(SIGTERM);

  // A principals file that others can read is refused at start.
  chmod((d + "/principals.txtpb").c_str(), 0644);
  Daemon refused(d, {"--tls_cert_file=" + d + "/server.pem",
                     "--tls_key_file=" + d + "/server.key",
                     "--principals_file=" + d + "/principals.txtpb"});
  EXPECT_EQ(refused.WaitForPort(), 0);
  EXPECT_EQ(WEXITSTATUS(refused.Wait()), 2);
  EXPECT_NE(refused.Log().find("chmod 600"), std::string::npos);
}

TEST(JobtrackdTest, PlaintextMustBeAskedForAndStaysOnLoopback) {
  testing::TempDir dir;
  {
    Daemon no_flag(dir.path());
    EXPECT_EQ(no_flag.WaitForPort(), 0);
    EXPECT_EQ(WEXITSTATUS(no_flag.Wait()), 2);
    EXPECT_NE(no_flag.Log().find("--plaintext"), std::string::npos);
  }
  Daemon exposed(dir.path(), {"--plaintext", "--listen=0.0.0.0:0"});
  EXPECT_EQ(exposed.WaitForPort(), 0);
  EXPECT_EQ(WEXITSTATUS(exposed.Wait()), 2);
  EXPECT_NE(exposed.Log().find("loopback"), std::string::npos);
}

TEST(JobtrackdTest, MemoryBudgetsOutOfRangeAreRefusedAtStart) {
  testing::TempDir dir;
  for (const char* flag : {"--block_cache_mb=0", "--memtable_mb=-5"}) {
    Daemon refused(dir.path(), {"--plaintext", flag});
    EXPECT_EQ(refused.WaitForPort(), 0) << flag;
    EXPECT_EQ(WEXITSTATUS(refused.Wait()), 2) << flag;
    const std::string name =
        std::string(flag).substr(0, std::string(flag).find('='));
    EXPECT_NE(refused.Log().find(name + " must be 1-"), std::string::npos)
        << refused.Log();
  }
}

}  // namespace
}  // namespace jobtrack
