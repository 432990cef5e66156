// The crash test (issue 9): jobtrackd under concurrent life-cycle writes,
// killed with SIGKILL at random moments and restarted, again and again.
// After every kill:
// - the offline consistency check (`jobtrackd --check`) passes: indexes
//   both ways, every participation equal to the replay of its events, no
//   intake over its seats, the event log indexed without holes;
// - every acknowledged write is there: re-sent with its request_id it is
//   answered with the first response, and each participation is in the
//   state its last acknowledged write left (same etag);
// - no refused write is there (a refused enrolment left the participation
//   where it was: the state check above);
// - a write in doubt at the kill (no answer) is re-sent with its request_id
//   and lands exactly once;
// - the change stream, followed by a reader that resumes after every
//   restart, delivered each event once, in order, and every event it
//   delivered is in the log after the crash.
//
// JOBTRACK_CRASH_CYCLES sets the number of kills (CI runs a few; `ctest -L
// long` runs 100); JOBTRACK_CRASH_SEED repeats a run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cpp/jobtrack_client.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "jobtrack/v1/participation_service.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"
#include "services/common/clock.h"
#include "tests/e2e/daemon.h"
#include "tests/support/test_env.h"

namespace jobtrack::reliability {
namespace {

using e2e::Daemon;

int EnvInt(const char* name, int fallback) {
  const char* text = std::getenv(name);
  int value = 0;
  return text != nullptr && absl::SimpleAtoi(text, &value) ? value : fallback;
}

// Today in Sweden, as the server counts days.
v1::Date Today() {
  EXPECT_TRUE(LoadSwedishTimeZone().ok());
  const absl::CivilDay day = TodayInSweden(SystemClock());
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(20));
  return context;
}

// Whether a failed call may have landed: the server went away before
// answering. Anything else is the server's answer (a refusal).
bool InDoubt(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         status.error_code() == grpc::StatusCode::CANCELLED ||
         status.error_code() == grpc::StatusCode::UNKNOWN ||
         status.error_code() == grpc::StatusCode::INTERNAL;
}

// One life-cycle write of a participation, re-sendable with its request_id.
struct Write {
  std::string what;  // For messages: "enrol participations/…".
  std::string participation;
  std::function<grpc::Status(grpc::Channel&, v1::Participation*)> send;
};

// What a worker knows of its writes since the last kill.
struct Ledger {
  // Acknowledged writes and their responses, to re-send after the crash.
  std::vector<std::pair<Write, v1::Participation>> acknowledged;
  // The write that had no answer when the server died, if any.
  std::optional<Write> in_doubt;
  // Each touched participation's state as of the last acknowledged write.
  std::map<std::string, v1::Participation> last;
  int refused = 0;
};

struct Fixture {
  std::string track;
  std::string small_intake;              // 3 seats: enrolments get refused.
  std::vector<std::string> big_intakes;  // 1 000 seats each.
};

template <typename Request>
Write MakeWrite(std::string what, std::string participation,
                grpc::Status (v1::ParticipationService::Stub::*method)(
                    grpc::ClientContext*, const Request&, v1::Participation*),
                Request request) {
  client::EnsureRequestId(request);
  return Write{
      std::move(what), std::move(participation),
      [method, request](grpc::Channel& channel, v1::Participation* out) {
        v1::ParticipationService::Stub stub(
            std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
        return (stub.*method)(Context().get(), request, out);
      }};
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = static_cast<uint64_t>(EnvInt("JOBTRACK_CRASH_SEED", 0));
    if (seed_ == 0)
      seed_ = absl::Uniform<uint32_t>(absl::BitGen(), 1, 1u << 30);
    std::cout << "crash test seed " << seed_
              << " (JOBTRACK_CRASH_SEED repeats it)\n";
  }

  std::unique_ptr<Daemon> Start() {
    auto daemon = std::make_unique<Daemon>(
        dir_.path(), std::vector<std::string>{"--plaintext"});
    port_ = daemon->WaitForPort();
    EXPECT_GT(port_, 0) << daemon->Log();
    channel_ = e2e::Connect(port_);
    return daemon;
  }

  Fixture MakeFixture() {
    Fixture f;
    v1::CreateModuleRequest m;
    m.mutable_module()->set_display_name("Krocktest: praktik");
    m.mutable_module()->set_education_form(v1::WORK_PLACEMENT);
    m.mutable_module()->set_length_weeks(4);
    m.mutable_module()->set_hours_per_week(40);
    v1::Module module;
    EXPECT_TRUE(v1::ModuleService::NewStub(channel_)
                    ->CreateModule(Context().get(), m, &module)
                    .ok());
    v1::CreateTrackRequest t;
    t.mutable_track()->set_display_name("Krocktest: förberedande spår");
    t.mutable_track()->set_kind(v1::Track::PREPARATORY);
    t.mutable_track()->add_municipality_codes("0180");
    t.mutable_track()->set_status(v1::Track::OPEN);
    t.mutable_track()->mutable_chain()->add_stages()->add_steps()->set_module(
        module.name());
    *t.mutable_effective_date() = Today();
    v1::Track track;
    auto tracks = v1::TrackService::NewStub(channel_);
    EXPECT_TRUE(tracks->CreateTrack(Context().get(), t, &track).ok());
    f.track = track.name();
    for (int seats : {3, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}) {
      v1::CreateIntakeRequest in;
      in.set_parent(track.name());
      in.mutable_intake()->set_display_name(absl::StrCat(seats, " platser"));
      in.mutable_intake()->set_start_type(v1::Intake::ROLLING);
      *in.mutable_intake()->mutable_start_date() = Today();
      in.mutable_intake()->set_seats(seats);
      v1::Intake intake;
      const grpc::Status s = tracks->CreateIntake(Context().get(), in, &intake);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (seats == 3) {
        f.small_intake = intake.name();
      } else {
        f.big_intakes.push_back(intake.name());
      }
    }
    return f;
  }

  // Runs journeys (create a participant, propose, select, enrol, a step,
  // complete, an outcome) until the server dies or `stop` is set.
  void Worker(int slot, const Fixture& f, Ledger& ledger,
              const std::atomic<bool>& stop) {
    auto participants = v1::ParticipantService::NewStub(channel_);
    int round = 0;
    while (!stop.load()) {
      // The participant itself: not a participation write; a lost one is
      // simply not proposed.
      v1::CreateParticipantRequest c;
      client::EnsureRequestId(c);
      c.mutable_participant()->set_external_reference(
          absl::StrCat("crash-", seed_, "-", cycle_, "-", slot, "-", ++round));
      c.mutable_participant()->set_birth_year(1990);
      c.mutable_participant()->set_gender(v1::FEMALE);
      c.mutable_participant()->set_municipality_code("0180");
      c.mutable_participant()->set_education_level(v1::UPPER_SECONDARY);
      v1::Participant participant;
      if (!participants->CreateParticipant(Context().get(), c, &participant)
               .ok()) {
        return;
      }
      std::string name;
      auto run = [&](Write write) -> std::optional<bool> {
        // true: acknowledged; false: refused; nullopt: the server is gone.
        if (stop.load()) return std::nullopt;
        v1::Participation response;
        const grpc::Status s = write.send(*channel_, &response);
        if (s.ok()) {
          name = response.name();
          write.participation = name;
          ledger.last[name] = response;
          ledger.acknowledged.emplace_back(std::move(write), response);
          return true;
        }
        if (InDoubt(s)) {
          ledger.in_doubt = std::move(write);
          return std::nullopt;
        }
        ++ledger.refused;
        return false;
      };
      v1::ProposeParticipationRequest p;
      p.set_participant(participant.name());
      p.set_track(f.track);
      *p.mutable_effective_date() = Today();
      if (run(MakeWrite("propose", "",
                        &v1::ParticipationService::Stub::ProposeParticipation,
                        p)) != true) {
        if (ledger.in_doubt) return;
        continue;
      }
      v1::SelectParticipationRequest s;
      s.set_name(name);
      *s.mutable_effective_date() = Today();
      if (run(MakeWrite("select", name,
                        &v1::ParticipationService::Stub::SelectParticipation,
                        s)) != true) {
        return;
      }
      // The small intake first: once its seats are gone the enrolment is
      // refused, and must leave nothing behind.
      v1::EnrollParticipationRequest e;
      e.set_name(name);
      e.set_intake(f.small_intake);
      *e.mutable_start_date() = Today();
      *e.mutable_effective_date() = Today();
      std::optional<bool> enrolled = run(
          MakeWrite("enrol (small intake)", name,
                    &v1::ParticipationService::Stub::EnrollParticipation, e));
      if (!enrolled) return;
      if (!*enrolled) {
        e.set_intake(f.big_intakes[static_cast<size_t>(slot + round) %
                                   f.big_intakes.size()]);
        if (run(MakeWrite("enrol", name,
                          &v1::ParticipationService::Stub::EnrollParticipation,
                          e)) != true) {
          return;
        }
      }
      v1::ReportStepProgressRequest r;
      r.set_name(name);
      r.set_step_id("1");
      r.set_status(v1::STEP_DONE);
      *r.mutable_effective_date() = Today();
      if (run(MakeWrite("progress", name,
                        &v1::ParticipationService::Stub::ReportStepProgress,
                        r)) != true) {
        return;
      }
      v1::CompleteParticipationRequest done;
      done.set_name(name);
      *done.mutable_end_date() = Today();
      if (run(MakeWrite("complete", name,
                        &v1::ParticipationService::Stub::CompleteParticipation,
                        done)) != true) {
        return;
      }
      v1::RecordOutcomeRequest o;
      o.set_name(name);
      o.set_point(v1::AT_END);
      o.set_kind(v1::WORK_UNSUBSIDIZED);
      *o.mutable_effective_date() = Today();
      if (run(MakeWrite("outcome", name,
                        &v1::ParticipationService::Stub::RecordOutcome, o)) !=
          true) {
        return;
      }
    }
  }

  // Follows the change stream from where it left off until the stream
  // ends (the server died) or `stop` is set.
  void Watch(const std::atomic<bool>& stop) {
    while (!stop.load()) {
      auto changes = v1::ChangeService::NewStub(channel_);
      grpc::ClientContext context;
      {
        std::lock_guard<std::mutex> lock(watch_mu_);
        watch_context_ = &context;
      }
      v1::WatchChangesRequest request;
      request.set_after_sequence(last_seen_);
      auto reader = changes->WatchChanges(&context, request);
      v1::Event event;
      while (reader->Read(&event)) {
        if (event.sequence() <= last_seen_) {
          ADD_FAILURE() << "change stream went back from " << last_seen_
                        << " to " << event.sequence();
        }
        last_seen_ = event.sequence();
        seen_[event.sequence()] = event.SerializeAsString();
      }
      reader->Finish().IgnoreError();
      {
        std::lock_guard<std::mutex> lock(watch_mu_);
        watch_context_ = nullptr;
      }
      return;  // The server went away (or we were told to stop).
    }
  }

  void StopWatching() {
    std::lock_guard<std::mutex> lock(watch_mu_);
    if (watch_context_ != nullptr) watch_context_->TryCancel();
  }

  // The whole log through the change stream, up to `count` events.
  std::map<int64_t, std::string> ReadLog(size_t count) {
    std::map<int64_t, std::string> log;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    auto reader =
        v1::ChangeService::NewStub(channel_)->WatchChanges(&context, {});
    v1::Event event;
    while (log.size() < count && reader->Read(&event)) {
      log[event.sequence()] = event.SerializeAsString();
    }
    context.TryCancel();
    reader->Finish().IgnoreError();
    return log;
  }

  // `jobtrackd --check` on the data directory; its output.
  std::string CheckOffline(int* exit_code) {
    return e2e::RunCommand(absl::StrCat(JOBTRACKD_PATH, " --check --data_dir=",
                                        dir_.path(), "/data 2>&1"),
                           exit_code);
  }

  jobtrack::testing::TempDir dir_;
  uint64_t seed_ = 0;
  int cycle_ = 0;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::mutex watch_mu_;
  grpc::ClientContext* watch_context_ = nullptr;
  int64_t last_seen_ = 0;
  std::map<int64_t, std::string> seen_;  // Sequence -> the event as seen.
};

TEST_F(CrashTest, AcknowledgedWritesSurviveSigkillUnderConcurrentWrites) {
  const int cycles = EnvInt("JOBTRACK_CRASH_CYCLES", 5);
  constexpr int kWorkers = 6;
  absl::BitGen random(std::seed_seq{seed_});
  auto daemon = Start();
  ASSERT_GT(port_, 0);
  const Fixture fixture = MakeFixture();
  ASSERT_EQ(fixture.big_intakes.size(), 8u);

  int64_t acknowledged = 0, refused = 0, in_doubt = 0, resent = 0;
  for (cycle_ = 1; cycle_ <= cycles; ++cycle_) {
    std::vector<Ledger> ledgers(kWorkers);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) {
      threads.emplace_back([&, w] {
        Worker(w, fixture, ledgers[static_cast<size_t>(w)], stop);
      });
    }
    std::thread watcher([&] { Watch(stop); });
    // Kill at a random moment of the writes.
    absl::SleepFor(absl::Milliseconds(absl::Uniform(random, 200, 1500)));
    daemon->Kill(SIGKILL);
    stop.store(true);
    for (auto& t : threads) t.join();
    StopWatching();
    watcher.join();

    int exit_code = -1;
    const std::string check = CheckOffline(&exit_code);
    ASSERT_EQ(exit_code, 0) << "cycle " << cycle_ << ", seed " << seed_ << ":\n"
                            << check;

    daemon = Start();
    ASSERT_GT(port_, 0);
    for (Ledger& ledger : ledgers) {
      // The write in doubt lands exactly once when re-sent.
      if (ledger.in_doubt) {
        ++in_doubt;
        v1::Participation response;
        const grpc::Status s = ledger.in_doubt->send(*channel_, &response);
        if (s.ok()) {
          ledger.last[response.name()] = response;
        } else {
          EXPECT_FALSE(InDoubt(s))
              << ledger.in_doubt->what << ": " << s.error_message();
        }
      }
      // Every acknowledged write is there, answered as the first time.
      for (const auto& [write, first] : ledger.acknowledged) {
        ++resent;
        v1::Participation again;
        const grpc::Status s = write.send(*channel_, &again);
        ASSERT_TRUE(s.ok()) << "lost: " << write.what << " "
                            << write.participation << " (cycle " << cycle_
                            << ", seed " << seed_ << "): " << s.error_message();
        EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString())
            << write.what << " " << write.participation;
      }
      acknowledged += static_cast<int64_t>(ledger.acknowledged.size());
      refused += ledger.refused;
      // Each participation is as its last acknowledged write left it:
      // nothing refused slipped in, nothing acknowledged went missing.
      auto participations = v1::ParticipationService::NewStub(channel_);
      for (const auto& [name, expected] : ledger.last) {
        v1::GetParticipationRequest get;
        get.set_name(name);
        v1::Participation now;
        ASSERT_TRUE(
            participations->GetParticipation(Context().get(), get, &now).ok())
            << name;
        EXPECT_EQ(now.etag(), expected.etag())
            << name << " is " << v1::Participation::State_Name(now.state())
            << ", expected " << v1::Participation::State_Name(expected.state());
      }
    }
  }

  // The change stream: what the reader saw before each crash is in the log,
  // unchanged, and the log has nothing it skipped.
  int exit_code = -1;
  daemon->Kill(SIGKILL);
  const std::string check = CheckOffline(&exit_code);
  ASSERT_EQ(exit_code, 0) << check;
  size_t events = 0;
  {
    const size_t at = check.find("events ");
    ASSERT_NE(at, std::string::npos) << check;
    events = std::stoul(check.substr(at + 7));
  }
  daemon = Start();
  const std::map<int64_t, std::string> log = ReadLog(events);
  EXPECT_EQ(log.size(), events);
  int64_t missing = 0;
  for (const auto& [sequence, bytes] : seen_) {
    auto it = log.find(sequence);
    if (it == log.end() || it->second != bytes) ++missing;
  }
  EXPECT_EQ(missing, 0) << "events seen on the change stream and then lost";
  std::cout << "crash test: " << cycles << " kills, " << acknowledged
            << " acknowledged writes (all present, " << resent << " re-sent), "
            << refused << " refused (none present), " << in_doubt
            << " in doubt at a kill (each landed once), " << seen_.size()
            << " of " << events
            << " events followed on the change stream; losses " << missing
            << "\n";
}

}  // namespace
}  // namespace jobtrack::reliability
