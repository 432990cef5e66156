// jobtrack_load: a closed-loop load driver for a running jobtrackd (issue
// 8). Each of --concurrency slots keeps one call in flight (gRPC callback
// API) for --seconds, then the run prints calls, errors, QPS and the
// latency percentiles p50/p99/p99.9 as the client sees them.
//
//   jobtrack_load --server=127.0.0.1:50051 --workload=get_track
//       --concurrency=16 --seconds=10
//   jobtrack_load --workload=all      # every workload, and the baseline
//
// Workloads: get_track, list_tracks (by municipality), propose_tracks,
// lifecycle (create a participant, propose, select, enrol, a step,
// complete, an outcome: seven durable writes per round, on a track and
// intakes the driver makes for itself), get_report (national, as of
// today), frozen_report (the national report of the latest follow-up
// period, closed first if need be: a stored report read), and two baselines
// on a server this program starts in a child process. empty: GetTrack answered
// at once with an empty message — the limit of this machine's gRPC, printed
// beside every read workload as a ratio. empty_durable: DeleteTrack answered
// after one synced commit of one 1 KB record, through jobtrack's own storage
// layer on a fresh database and a pool of 64 writer threads as jobtrackd runs
// its writes — the limit of this machine for an acknowledged durable write,
// printed beside lifecycle. held_proposals: ProposeTracks answered at once
// with the bytes of an answer the real server gave (ten explained
// proposals), held and sent as they are — the limit of this machine for a
// call that must move that answer, printed beside the empty handler.
// held_write: RecordOutcome answered with a held participation once a
// commit of a life-cycle write's shape (a locked read, eight keys, about 1
// KB) is synced, on the same storage layer and writer pool — the limit of
// this machine for such a write, printed beside the durable empty handler.
#include <google/protobuf/empty.pb.h>
#include <grpcpp/grpcpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cpp/jobtrack_client.h"
#include "services/common/worker_pool.h"
#include "storage/storage.h"
#include "tests/support/http_get.h"
#include "tests/support/read_file.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "jobtrackd address");
ABSL_FLAG(std::string, workload, "all",
          "get_track, list_tracks, propose_tracks, lifecycle, get_report, "
          "frozen_report, empty, empty_durable, held_proposals, held_write, "
          "or all (comma-separated for several)");
ABSL_FLAG(int, concurrency, 16, "calls in flight");
ABSL_FLAG(double, seconds, 10, "how long each workload runs");
ABSL_FLAG(std::string, token_file, "", "bearer token (or $JOBTRACK_TOKEN)");
ABSL_FLAG(std::string, metrics, "",
          "host:port of jobtrackd's --metrics_listen: adds the server-side "
          "p99 (from its latency histogram) to each workload");
ABSL_FLAG(std::string, serve_empty, "",
          "internal: serve the baselines from this directory (its database "
          "in db/), writing the port to port in it");

namespace jobtrack::load {
namespace {

namespace v1 = ::jobtrack::v1;

struct Result {
  std::string workload;
  int concurrency = 0;
  double seconds = 0;
  int64_t ok = 0;
  int64_t errors = 0;
  std::string first_error;
  std::vector<int64_t> micros;  // Latency of every successful call.
};

// Issues one call for `slot`; calls `done(status)` when it finishes.
using Done = std::function<void(const grpc::Status&)>;
using Issue = std::function<void(int slot, Done done)>;

// Runs `issue` in a closed loop: every slot issues its next call as soon as
// the previous one finishes, until `duration` has passed.
Result ClosedLoop(const std::string& name, int concurrency,
                  absl::Duration duration, const Issue& issue) {
  Result result;
  result.workload = name;
  result.concurrency = concurrency;
  absl::Mutex mu;
  int active = concurrency;
  absl::Notification finished;
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + duration;
  std::function<void(int)> next = [&](int slot) {
    const absl::Time issued = absl::Now();
    issue(slot, [&, slot, issued](const grpc::Status& status) {
      const absl::Time now = absl::Now();
      bool stop = false, last = false;
      {
        absl::MutexLock lock(&mu);
        if (status.ok()) {
          ++result.ok;
          result.micros.push_back(absl::ToInt64Microseconds(now - issued));
        } else {
          if (result.errors++ == 0) {
            result.first_error =
                absl::StrCat(status.error_code(), ": ", status.error_message());
          }
        }
        if (now >= deadline) {
          stop = true;
          last = --active == 0;
        }
      }
      // Notified outside the lock: the loop's state ends with this call.
      if (last) finished.Notify();
      if (!stop) next(slot);
    });
  };
  for (int slot = 0; slot < concurrency; ++slot) next(slot);
  finished.WaitForNotification();
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return result;
}

double Percentile(std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i =
      std::min(sorted.size() - 1,
               static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[i]) / 1000.0;
}

std::string Token() {
  std::string token;
  if (const std::string f = absl::GetFlag(FLAGS_token_file); !f.empty()) {
    std::ifstream in(f);
    std::getline(in, token);
  } else if (const char* env = std::getenv("JOBTRACK_TOKEN")) {
    token = env;
  }
  return token;
}

// One asynchronous unary call: `start(context, request, response,
// callback)` makes it; `done(status, response)` gets its answer. The
// call's storage lives until the callback has run.
//
// The context is destroyed before `done` runs. It holds a reference to the
// channel, and `done` may tell the caller that the workload is over, after
// which the caller drops its own references. Were the context's then the
// last one, ~Channel would run on this gRPC thread and shut down and free
// the callback completion queue the thread is still polling (a double
// free under AddressSanitizer, now and then, at the end of a run).
template <typename Response, typename Request, typename Start, typename Done>
void Async(Request request, const client::Client& client, Start start,
           Done done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    Request request;
    Response response;
  };
  auto* call = new Call{client.NewContext(), std::move(request), Response()};
  start(call->context.get(), &call->request, &call->response,
        [call, done](grpc::Status s) {
          call->context.reset();
          done(s, call->response);
          delete call;
        });
}

// Calls Method of `stub` (a pointer) asynchronously.
#define JT_ASYNC(stub, Method, Response, request, client, done)        \
  Async<Response>(                                                     \
      request, client,                                                 \
      [s = (stub)](grpc::ClientContext* c, const auto* q, Response* p, \
                   std::function<void(grpc::Status)> cb) {             \
        s->async()->Method(c, q, p, std::move(cb));                    \
      },                                                               \
      done)

v1::Date Today() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

// What the read workloads pick from.
struct Catalogue {
  std::vector<std::string> tracks;
  std::vector<std::string> municipalities;
  std::vector<std::string> participants;
};

absl::StatusOr<Catalogue> ReadCatalogue(client::Client& client) {
  Catalogue c;
  v1::ListTracksRequest tracks;
  tracks.set_page_size(1000);
  do {
    auto page = client.Call(&v1::TrackService::Stub::ListTracks, tracks);
    if (!page.ok()) return page.status();
    for (const v1::Track& t : page->tracks()) {
      c.tracks.push_back(t.name());
      for (const std::string& m : t.municipality_codes()) {
        c.municipalities.push_back(m);
      }
    }
    tracks.set_page_token(page->next_page_token());
  } while (!tracks.page_token().empty() && c.tracks.size() < 100000);
  std::sort(c.municipalities.begin(), c.municipalities.end());
  c.municipalities.erase(
      std::unique(c.municipalities.begin(), c.municipalities.end()),
      c.municipalities.end());
  // Enrolled jobseekers get no new proposals: leave them out.
  absl::flat_hash_set<std::string> enrolled;
  v1::ListParticipationsRequest active;
  active.set_filter("state = ENROLLED");
  active.set_page_size(1000);
  do {
    auto page = client.Call(&v1::ParticipationService::Stub::ListParticipations,
                            active);
    if (!page.ok()) return page.status();
    for (const v1::Participation& p : page->participations()) {
      enrolled.insert(p.participant());
    }
    active.set_page_token(page->next_page_token());
  } while (!active.page_token().empty());
  v1::ListParticipantsRequest people;
  people.set_page_size(1000);
  do {
    auto page =
        client.Call(&v1::ParticipantService::Stub::ListParticipants, people);
    if (!page.ok()) return page.status();
    for (const v1::Participant& p : page->participants()) {
      if (!p.erased() && !enrolled.contains(p.name())) {
        c.participants.push_back(p.name());
      }
    }
    people.set_page_token(page->next_page_token());
  } while (!people.page_token().empty() && c.participants.size() < 20000);
  return c;
}

// A track in 0180 with `intakes` rolling intakes of 1 000 seats, for the
// life-cycle writes.
struct WriteSetup {
  std::string track;
  std::vector<std::string> intakes;
};

absl::StatusOr<WriteSetup> PrepareWrites(client::Client& client, int intakes) {
  v1::CreateModuleRequest m;
  m.mutable_module()->set_display_name("Lastprov: praktik");
  m.mutable_module()->set_education_form(v1::WORK_PLACEMENT);
  m.mutable_module()->set_length_weeks(4);
  m.mutable_module()->set_hours_per_week(40);
  auto module = client.Call(&v1::ModuleService::Stub::CreateModule, m);
  if (!module.ok()) return module.status();
  v1::CreateTrackRequest t;
  t.mutable_track()->set_display_name("Lastprov: förberedande spår");
  t.mutable_track()->set_kind(v1::Track::PREPARATORY);
  t.mutable_track()->add_municipality_codes("0180");
  t.mutable_track()->set_status(v1::Track::OPEN);
  t.mutable_track()->mutable_chain()->add_stages()->add_steps()->set_module(
      module->name());
  *t.mutable_effective_date() = Today();
  auto track = client.Call(&v1::TrackService::Stub::CreateTrack, t);
  if (!track.ok()) return track.status();
  WriteSetup setup{track->name(), {}};
  for (int i = 0; i < intakes; ++i) {
    v1::CreateIntakeRequest in;
    in.set_parent(track->name());
    in.mutable_intake()->set_display_name(absl::StrCat("Lastprov ", i + 1));
    in.mutable_intake()->set_start_type(v1::Intake::ROLLING);
    *in.mutable_intake()->mutable_start_date() = Today();
    in.mutable_intake()->set_seats(1000);
    auto intake = client.Call(&v1::TrackService::Stub::CreateIntake, in);
    if (!intake.ok()) return intake.status();
    setup.intakes.push_back(intake->name());
  }
  return setup;
}

// The baselines. GetTrack: answered at once with an empty Track.
// DeleteTrack: answered once one record of kDurablePayloadBytes under the
// request's name is committed and its WAL synced, on `writers` as jobtrackd
// runs its writes (so that concurrent calls share one sync).
constexpr size_t kDurablePayloadBytes = 1024;
constexpr int kBaselineWriteThreads = 64;  // jobtrackd's --write_threads.
// In the baseline server's directory: the answers HeldProposals and
// HeldWrites send.
constexpr char kHeldProposalsFile[] = "proposals.pb";
constexpr char kHeldRecordFile[] = "participation.pb";

class BaselineTracks final : public v1::TrackService::CallbackService {
 public:
  BaselineTracks(storage::Storage* storage, WorkerPool* writers)
      : storage_(storage),
        writers_(writers),
        payload_(kDurablePayloadBytes, 'x') {}

 private:
  grpc::ServerUnaryReactor* GetTrack(grpc::CallbackServerContext* context,
                                     const v1::GetTrackRequest*,
                                     v1::Track*) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* DeleteTrack(grpc::CallbackServerContext* context,
                                        const v1::DeleteTrackRequest* request,
                                        google::protobuf::Empty*) override {
    auto* reactor = context->DefaultReactor();
    writers_->Run([this, reactor, key = request->name()] {
      std::unique_ptr<storage::Transaction> txn = storage_->Begin();
      absl::Status s = txn->Put(storage::Column::kRecords, key, payload_);
      if (s.ok()) s = txn->Commit();
      reactor->Finish(s.ok() ? grpc::Status::OK
                             : grpc::Status(grpc::StatusCode::INTERNAL,
                                            std::string(s.message())));
    });
    return reactor;
  }

  storage::Storage* const storage_;
  WorkerPool* const writers_;
  const std::string payload_;
};

// `bytes` in a buffer whose copies share them.
grpc::ByteBuffer HeldBytes(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// ProposeTracks: answered at once with the held bytes of a real answer,
// read from `file` (empty if the file is missing). The request is not
// parsed: the least any server of this answer could do.
class HeldProposals final
    : public v1::MatchingService::WithRawCallbackMethod_ProposeTracks<
          v1::MatchingService::Service> {
 public:
  using WithRawCallbackMethod_ProposeTracks::ProposeTracks;  // The sync one.

  explicit HeldProposals(const std::string& file)
      : held_(HeldBytes(testing::ReadFile(file))) {}

  grpc::ServerUnaryReactor* ProposeTracks(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer*,
                                          grpc::ByteBuffer* response) override {
    *response = held_;  // Shares the slice: no copy of the bytes.
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const grpc::ByteBuffer held_;
};

// RecordOutcome: answered with the held bytes of a real participation,
// read from `file`, once a commit of a life-cycle write's shape is synced.
// The shape is the mean of the life-cycle commits at scale 100 (8.3 keys,
// 980 bytes of batch): the record read locked and written back, two
// events (each a log entry and an index key), an audit entry, a request
// record and one more index key. The request is not parsed: the least any
// server of such a write could do, through jobtrack's storage layer.
class HeldWrites final
    : public v1::ParticipationService::WithRawCallbackMethod_RecordOutcome<
          v1::ParticipationService::Service> {
 public:
  using WithRawCallbackMethod_RecordOutcome::RecordOutcome;  // The sync one.

  HeldWrites(storage::Storage* storage, WorkerPool* writers,
             const std::string& file)
      : storage_(storage),
        writers_(writers),
        event_(130, 'e'),
        audit_(150, 'a'),
        request_(40, 'r'),
        record_(testing::ReadFile(file)),
        held_(HeldBytes(record_)) {}

  grpc::ServerUnaryReactor* RecordOutcome(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer*,
                                          grpc::ByteBuffer* response) override {
    auto* reactor = context->DefaultReactor();
    writers_->Run([this, reactor, response, n = next_.fetch_add(1)] {
      const std::string name = absl::StrCat("participations/", n);
      absl::Status s = Write(name);
      if (s.ok()) *response = held_;
      reactor->Finish(s.ok() ? grpc::Status::OK
                             : grpc::Status(grpc::StatusCode::INTERNAL,
                                            std::string(s.message())));
    });
    return reactor;
  }

 private:
  absl::Status Write(const std::string& name) {
    using storage::Column;
    std::unique_ptr<storage::Transaction> txn = storage_->Begin();
    absl::Status s = txn->GetForUpdate(Column::kRecords, name).status();
    if (s.ok()) s = txn->Put(Column::kRecords, name, record_);
    if (s.ok()) s = txn->Put(Column::kAudit, absl::StrCat(name, "/a"), audit_);
    if (s.ok()) {
      s = txn->Put(Column::kRequests, absl::StrCat(name, "/r"), request_);
    }
    if (s.ok()) s = txn->Put(Column::kIndex, absl::StrCat("i/", name), "");
    if (!s.ok()) return s;
    txn->AddEvent(name, event_);
    txn->AddEvent(name, event_);
    return txn->Commit();
  }

  storage::Storage* const storage_;
  WorkerPool* const writers_;
  const std::string event_, audit_, request_;
  const std::string record_;
  const grpc::ByteBuffer held_;
  std::atomic<int64_t> next_{0};
};

int ServeBaselines(const std::string& dir) {
  storage::Options options;
  options.path = dir + "/db";
  absl::StatusOr<std::unique_ptr<storage::Storage>> storage =
      storage::Storage::Open(options);
  if (!storage.ok()) {
    std::cerr << "baseline storage: " << storage.status() << "\n";
    return 1;
  }
  WorkerPool writers(kBaselineWriteThreads);
  BaselineTracks service(storage->get(), &writers);
  HeldProposals proposals(dir + "/" + kHeldProposalsFile);
  HeldWrites writes(storage->get(), &writers, dir + "/" + kHeldRecordFile);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  builder.RegisterService(&proposals);
  builder.RegisterService(&writes);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 1;
  const std::string port_file = dir + "/port";
  { std::ofstream(port_file + ".tmp") << port << "\n"; }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  server->Wait();  // Until killed.
  return 0;
}

// This program serving the baselines in a child process, on a fresh
// database in a directory of its own; stopping it removes both.
class BaselineServer {
 public:
  // Starts it, with `held_proposals` as the answer of its ProposeTracks and
  // `held_record` as the answer and the record of its RecordOutcome;
  // port() is 0 if it did not start.
  explicit BaselineServer(const char* self,
                          const std::string& held_proposals = "",
                          const std::string& held_record = "") {
    char dir[] = "/tmp/jobtrack-load-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    dir_ = dir;
    std::ofstream(dir_ + "/" + kHeldProposalsFile, std::ios::binary)
        << held_proposals;
    std::ofstream(dir_ + "/" + kHeldRecordFile, std::ios::binary)
        << held_record;
    const std::string port_file = dir_ + "/port";
    child_ = fork();
    if (child_ == 0) {
      const std::string flag = "--serve_empty=" + dir_;
      execl(self, self, flag.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 300 && child_ > 0; ++i) {
      std::ifstream in(port_file);
      if (int port = 0; in >> port && port > 0) {
        port_ = port;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~BaselineServer() {
    if (child_ > 0) {
      kill(child_, SIGTERM);
      waitpid(child_, nullptr, 0);
    }
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }
  BaselineServer(const BaselineServer&) = delete;
  BaselineServer& operator=(const BaselineServer&) = delete;

  int port() const { return port_; }

 private:
  std::string dir_;
  pid_t child_ = -1;
  int port_ = 0;
};

// Four channels to the baseline server on `port`: the same client set-up
// as the workloads'.
std::vector<std::shared_ptr<grpc::Channel>> BaselineChannels(int port) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("jobtrack.load.channel", i);
    channels.push_back(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                  grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

// A stub of `Service` on each of `channels`.
template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> StubsOn(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (const auto& c : channels) stubs.push_back(Service::NewStub(c));
  return stubs;
}

// The middle one in size of `sample`, which is not empty.
std::string MedianInSize(std::vector<std::string> sample) {
  std::sort(sample.begin(), sample.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() < b.size();
            });
  return std::move(sample[sample.size() / 2]);
}

// The serialized answer held_proposals sends: the median in size of the
// real server's answers to the first jobseekers of the catalogue.
absl::StatusOr<std::string> SampleProposals(client::Client& client,
                                            const Catalogue& catalogue) {
  constexpr size_t kSample = 50;
  std::vector<std::string> answers;
  for (size_t i = 0; i < std::min(kSample, catalogue.participants.size());
       ++i) {
    v1::ProposeTracksRequest r;
    r.set_participant(catalogue.participants[i]);
    auto answer = client.Call(&v1::MatchingService::Stub::ProposeTracks, r);
    if (answer.ok()) answers.push_back(answer->SerializeAsString());
  }
  if (answers.empty()) {
    return absl::FailedPreconditionError("no jobseeker got an answer");
  }
  const size_t sampled = answers.size();
  std::string median = MedianInSize(std::move(answers));
  v1::ProposeTracksResponse parsed;
  parsed.ParseFromString(median);
  std::cout << "held_proposals: an answer of " << parsed.proposals_size()
            << " proposals, " << median.size() << " bytes (the median of "
            << sampled << ")\n";
  return median;
}

// The serialized participation held_write writes and answers: the median
// in size of the real server's first page of participations.
absl::StatusOr<std::string> SampleParticipation(client::Client& client) {
  v1::ListParticipationsRequest r;
  r.set_page_size(100);
  auto page =
      client.Call(&v1::ParticipationService::Stub::ListParticipations, r);
  if (!page.ok()) return page.status();
  if (page->participations().empty()) {
    return absl::FailedPreconditionError("no participations");
  }
  std::vector<std::string> sample;
  for (const v1::Participation& p : page->participations()) {
    sample.push_back(p.SerializeAsString());
  }
  const size_t sampled = sample.size();
  std::string median = MedianInSize(std::move(sample));
  std::cout << "held_write: a participation of " << median.size()
            << " bytes (the median of " << sampled << ")\n";
  return median;
}

// The server's latency histogram for `methods`, summed: cumulative counts
// by bucket bound (seconds), scraped from its Prometheus exposition.
// Empty if the scrape fails.
std::map<double, int64_t> ScrapeHistogram(
    const std::string& address, const std::set<std::string>& methods) {
  std::map<double, int64_t> buckets;
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return buckets;
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port)) return buckets;
  const std::string page =
      testing::HttpGet(address.substr(0, colon), port, "/metrics");
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::ConsumePrefix(&line, "jobtrack_rpc_latency_seconds_bucket{")) {
      continue;
    }
    const size_t m = line.find("method=\"");
    const size_t le = line.find("le=\"");
    const size_t end = line.find("} ");
    if (m == absl::string_view::npos || le == absl::string_view::npos ||
        end == absl::string_view::npos) {
      continue;
    }
    const absl::string_view method =
        line.substr(m + 8, line.find('"', m + 8) - (m + 8));
    if (!methods.contains(std::string(method))) continue;
    const absl::string_view bound =
        line.substr(le + 4, line.find('"', le + 4) - (le + 4));
    double seconds = std::numeric_limits<double>::infinity();
    if (bound != "+Inf" && !absl::SimpleAtod(bound, &seconds)) continue;
    int64_t count = 0;
    if (!absl::SimpleAtoi(line.substr(end + 2), &count)) continue;
    buckets[seconds] += count;
  }
  return buckets;
}

// The bound of the bucket that holds the 99th percentile of the calls
// between two scrapes, in ms ("" if unknown or beyond the last bound).
std::string ServerP99(const std::map<double, int64_t>& before,
                      const std::map<double, int64_t>& after) {
  if (after.empty()) return "";
  const auto total_it = after.find(std::numeric_limits<double>::infinity());
  if (total_it == after.end()) return "";
  auto at = [](const std::map<double, int64_t>& m, double bound) {
    auto it = m.find(bound);
    return it == m.end() ? int64_t{0} : it->second;
  };
  const double total = static_cast<double>(
      total_it->second - at(before, std::numeric_limits<double>::infinity()));
  if (total <= 0) return "";
  for (const auto& [bound, count] : after) {
    if (static_cast<double>(count - at(before, bound)) >= 0.99 * total) {
      if (std::isinf(bound)) return ">10000";
      return absl::StrFormat("<=%g", bound * 1000);
    }
  }
  return "";
}

// The server methods a workload calls.
std::set<std::string> MethodsOf(const std::string& workload) {
  if (workload == "get_track") return {"GetTrack"};
  if (workload == "list_tracks") return {"ListTracks"};
  if (workload == "propose_tracks") return {"ProposeTracks"};
  if (workload == "get_report" || workload == "frozen_report") {
    return {"GetReport"};
  }
  if (workload == "lifecycle") {
    return {"CreateParticipant",   "ProposeParticipation",
            "SelectParticipation", "EnrollParticipation",
            "ReportStepProgress",  "CompleteParticipation",
            "RecordOutcome"};
  }
  return {};
}

void PrintHeader() {
  std::cout << absl::StrFormat(
      "%-15s %5s %8s %9s %7s %10s %8s %8s %9s %9s %12s\n", "workload", "conc",
      "seconds", "calls", "errors", "QPS", "p50 ms", "p99 ms", "p99.9 ms",
      "vs empty", "srv p99 ms");
}

void Print(Result& r, double empty_qps, const std::string& server_p99) {
  std::sort(r.micros.begin(), r.micros.end());
  const double qps = static_cast<double>(r.ok) / r.seconds;
  std::cout << absl::StrFormat(
      "%-15s %5d %8.1f %9d %7d %10.0f %8.3f %8.3f %9.3f %9s %12s\n", r.workload,
      r.concurrency, r.seconds, r.ok, r.errors, qps, Percentile(r.micros, 0.5),
      Percentile(r.micros, 0.99), Percentile(r.micros, 0.999),
      empty_qps > 0 ? absl::StrFormat("%.0f%%", 100.0 * qps / empty_qps) : "",
      server_p99);
  if (r.errors > 0) std::cout << "  first error: " << r.first_error << "\n";
  std::cout.flush();
}

int Run(const char* self) {
  const std::string token = Token();
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<std::string> workloads =
      absl::StrSplit(absl::GetFlag(FLAGS_workload), ',');
  if (workloads == std::vector<std::string>{"all"}) {
    workloads = {"empty",          "get_track",      "list_tracks",
                 "propose_tracks", "held_proposals", "empty_durable",
                 "lifecycle",      "held_write",     "get_report"};
  }
  client::ClientOptions options;
  options.target = absl::GetFlag(FLAGS_server);
  options.token = token;
  auto connected = client::Client::Connect(options);
  if (!connected.ok()) {
    std::cerr << connected.status() << "\n";
    return 2;
  }
  client::Client& client = **connected;
  // Several channels, so that calls spread over connections as many
  // clients' would.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("jobtrack.load.channel", i);  // Distinct subchannels.
    channels.push_back(grpc::CreateCustomChannel(
        options.target, grpc::InsecureChannelCredentials(), args));
  }
  auto channel_of = [&](int slot) { return channels[slot % channels.size()]; };

  absl::StatusOr<Catalogue> catalogue = ReadCatalogue(client);
  if (!catalogue.ok()) {
    std::cerr << "reading the catalogue: " << catalogue.status() << "\n";
    return 1;
  }
  std::cout << "server " << options.target << ": " << catalogue->tracks.size()
            << " tracks, " << catalogue->municipalities.size()
            << " municipalities, " << catalogue->participants.size()
            << " participants sampled\n";
  PrintHeader();
  double empty_qps = 0;    // Beside the reads.
  double durable_qps = 0;  // Beside lifecycle.
  absl::BitGen random;
  const std::string metrics = absl::GetFlag(FLAGS_metrics);
  for (const std::string& workload : workloads) {
    Result result;
    const std::map<double, int64_t> before =
        metrics.empty() ? std::map<double, int64_t>()
                        : ScrapeHistogram(metrics, MethodsOf(workload));
    if (workload == "empty" || workload == "empty_durable") {
      const BaselineServer baseline(self);
      if (baseline.port() == 0) {
        std::cerr << "the baseline server did not start\n";
        continue;
      }
      const auto stubs =
          StubsOn<v1::TrackService>(BaselineChannels(baseline.port()));
      const bool durable = workload == "empty_durable";
      std::atomic<int64_t> written{0};
      result =
          ClosedLoop(workload, concurrency, duration, [&](int slot, Done done) {
            auto* stub = stubs[slot % stubs.size()].get();
            if (durable) {
              v1::DeleteTrackRequest r;
              r.set_name(absl::StrCat("tracks/", written.fetch_add(1)));
              JT_ASYNC(stub, DeleteTrack, google::protobuf::Empty, r, client,
                       [done](auto& s, auto&) { done(s); });
            } else {
              v1::GetTrackRequest r;
              r.set_name("tracks/x");
              JT_ASYNC(stub, GetTrack, v1::Track, r, client,
                       [done](auto& s, auto&) { done(s); });
            }
          });
      const double qps = static_cast<double>(result.ok) / result.seconds;
      (durable ? durable_qps : empty_qps) = qps;
    } else if (workload == "held_proposals" || workload == "held_write") {
      const bool proposals = workload == "held_proposals";
      absl::StatusOr<std::string> held =
          proposals ? SampleProposals(client, *catalogue)
                    : SampleParticipation(client);
      if (!held.ok()) {
        std::cerr << workload << ": " << held.status() << "\n";
        continue;
      }
      const BaselineServer baseline(self, proposals ? *held : "",
                                    proposals ? "" : *held);
      if (baseline.port() == 0) {
        std::cerr << "the baseline server did not start\n";
        continue;
      }
      const auto on = BaselineChannels(baseline.port());
      const auto matching = StubsOn<v1::MatchingService>(on);
      const auto participations = StubsOn<v1::ParticipationService>(on);
      result =
          ClosedLoop(workload, concurrency, duration, [&](int slot, Done done) {
            if (proposals) {
              v1::ProposeTracksRequest r;
              r.set_participant(
                  catalogue
                      ->participants[slot % catalogue->participants.size()]);
              JT_ASYNC(matching[slot % matching.size()].get(), ProposeTracks,
                       v1::ProposeTracksResponse, r, client,
                       [done](auto& s, auto&) { done(s); });
            } else {
              v1::RecordOutcomeRequest r;
              r.set_name("participations/x");
              r.set_point(v1::AT_END);
              r.set_kind(v1::WORK_UNSUBSIDIZED);
              *r.mutable_effective_date() = Today();
              JT_ASYNC(participations[slot % participations.size()].get(),
                       RecordOutcome, v1::Participation, r, client,
                       [done](auto& s, auto&) { done(s); });
            }
          });
    } else if (workload == "get_track" || workload == "list_tracks") {
      if (catalogue->tracks.empty()) {
        std::cout << workload << ": no tracks to read\n";
        continue;
      }
      const auto stubs = StubsOn<v1::TrackService>(channels);
      const bool get = workload == "get_track";
      absl::Mutex random_mu;
      result =
          ClosedLoop(workload, concurrency, duration, [&](int slot, Done done) {
            size_t pick;
            {
              absl::MutexLock lock(&random_mu);
              pick =
                  absl::Uniform<size_t>(random, 0,
                                        get ? catalogue->tracks.size()
                                            : catalogue->municipalities.size());
            }
            auto* stub = stubs[slot % stubs.size()].get();
            if (get) {
              v1::GetTrackRequest r;
              r.set_name(catalogue->tracks[pick]);
              JT_ASYNC(stub, GetTrack, v1::Track, r, client,
                       [done](auto& s, auto&) { done(s); });
            } else {
              v1::ListTracksRequest r;
              r.set_filter(absl::StrCat("municipality = \"",
                                        catalogue->municipalities[pick], "\""));
              JT_ASYNC(stub, ListTracks, v1::ListTracksResponse, r, client,
                       [done](auto& s, auto&) { done(s); });
            }
          });
    } else if (workload == "propose_tracks") {
      if (catalogue->participants.empty()) {
        std::cout << workload << ": no participants\n";
        continue;
      }
      const auto stubs = StubsOn<v1::MatchingService>(channels);
      absl::Mutex random_mu;
      result =
          ClosedLoop(workload, concurrency, duration, [&](int slot, Done done) {
            size_t pick;
            {
              absl::MutexLock lock(&random_mu);
              pick = absl::Uniform<size_t>(random, 0,
                                           catalogue->participants.size());
            }
            v1::ProposeTracksRequest r;
            r.set_participant(catalogue->participants[pick]);
            JT_ASYNC(stubs[slot % stubs.size()].get(), ProposeTracks,
                     v1::ProposeTracksResponse, r, client,
                     [done](auto& s, auto&) { done(s); });
          });
    } else if (workload == "get_report") {
      auto stub = v1::FollowUpService::NewStub(channel_of(0));
      result = ClosedLoop(workload, concurrency, duration, [&](int, Done done) {
        v1::GetReportRequest r;
        *r.mutable_as_of() = Today();
        JT_ASYNC(stub.get(), GetReport, v1::Report, r, client,
                 [done](auto& s, auto&) { done(s); });
      });
    } else if (workload == "frozen_report") {
      // The server's latest follow-up period, closed first if it is not
      // yet.
      auto periods = client.Call(&v1::FollowUpService::Stub::ListPeriods,
                                 v1::ListPeriodsRequest());
      if (!periods.ok() || periods->periods().empty()) {
        std::cerr << "no follow-up period: " << periods.status() << "\n";
        continue;
      }
      const v1::FollowUpPeriod& last =
          periods->periods(periods->periods_size() - 1);
      const std::string period = last.name();
      if (!last.closed()) {
        v1::ClosePeriodRequest close;
        close.set_name(period);
        auto closed =
            client.Call(&v1::FollowUpService::Stub::ClosePeriod, close);
        if (!closed.ok()) {
          std::cerr << "closing " << period << ": " << closed.status() << "\n";
          continue;
        }
      }
      auto stub = v1::FollowUpService::NewStub(channel_of(0));
      result = ClosedLoop(workload, concurrency, duration, [&](int, Done done) {
        v1::GetReportRequest r;
        r.set_period(period);
        JT_ASYNC(stub.get(), GetReport, v1::Report, r, client,
                 [done](auto& s, auto&) { done(s); });
      });
    } else if (workload == "lifecycle") {
      absl::StatusOr<WriteSetup> setup =
          PrepareWrites(client, std::max(8, concurrency * 2));
      if (!setup.ok()) {
        std::cerr << "lifecycle set-up: " << setup.status() << "\n";
        continue;
      }
      auto participants = v1::ParticipantService::NewStub(channel_of(0));
      auto participations = v1::ParticipationService::NewStub(channel_of(1));
      // Each slot walks one jobseeker through the track: seven calls.
      struct Walk {
        int step = 0;
        int64_t round = 0;
        std::string participant, participation;
        int intake = 0;
      };
      std::vector<Walk> walks(static_cast<size_t>(concurrency));
      std::atomic<int> next_intake{0};
      const int64_t run_id = absl::ToUnixMillis(absl::Now());
      result =
          ClosedLoop(workload, concurrency, duration, [&](int slot, Done done) {
            Walk& w = walks[static_cast<size_t>(slot)];
            auto advance = [&w, done](const grpc::Status& s) {
              w.step = s.ok() ? (w.step + 1) % 7 : 0;
              done(s);
            };
            auto keep = [&w, advance](const grpc::Status& s,
                                      const v1::Participation& p) {
              if (s.ok()) w.participation = p.name();
              advance(s);
            };
            switch (w.step) {
              case 0: {
                v1::CreateParticipantRequest r;
                // Unique: external references identify a person.
                r.mutable_participant()->set_external_reference(
                    absl::StrCat("load-", run_id, "-", slot, "-", ++w.round));
                r.mutable_participant()->set_birth_year(1990);
                r.mutable_participant()->set_gender(v1::FEMALE);
                r.mutable_participant()->set_municipality_code("0180");
                r.mutable_participant()->set_education_level(
                    v1::UPPER_SECONDARY);
                JT_ASYNC(participants.get(), CreateParticipant, v1::Participant,
                         r, client, ([&w, advance](auto& s, auto& p) {
                           if (s.ok()) w.participant = p.name();
                           advance(s);
                         }));
                break;
              }
              case 1: {
                v1::ProposeParticipationRequest r;
                r.set_participant(w.participant);
                r.set_track(setup->track);
                *r.mutable_effective_date() = Today();
                JT_ASYNC(participations.get(), ProposeParticipation,
                         v1::Participation, r, client, keep);
                break;
              }
              case 2: {
                v1::SelectParticipationRequest r;
                r.set_name(w.participation);
                *r.mutable_effective_date() = Today();
                JT_ASYNC(participations.get(), SelectParticipation,
                         v1::Participation, r, client, keep);
                break;
              }
              case 3: {
                v1::EnrollParticipationRequest r;
                r.set_name(w.participation);
                // Spread over the intakes; a full one is left behind.
                w.intake =
                    next_intake++ % static_cast<int>(setup->intakes.size());
                r.set_intake(setup->intakes[static_cast<size_t>(w.intake)]);
                *r.mutable_start_date() = Today();
                *r.mutable_effective_date() = Today();
                JT_ASYNC(participations.get(), EnrollParticipation,
                         v1::Participation, r, client, keep);
                break;
              }
              case 4: {
                v1::ReportStepProgressRequest r;
                r.set_name(w.participation);
                r.set_step_id("1");
                r.set_status(v1::STEP_DONE);
                *r.mutable_effective_date() = Today();
                JT_ASYNC(participations.get(), ReportStepProgress,
                         v1::Participation, r, client, keep);
                break;
              }
              case 5: {
                v1::CompleteParticipationRequest r;
                r.set_name(w.participation);
                *r.mutable_end_date() = Today();
                JT_ASYNC(participations.get(), CompleteParticipation,
                         v1::Participation, r, client, keep);
                break;
              }
              default: {
                v1::RecordOutcomeRequest r;
                r.set_name(w.participation);
                r.set_point(v1::AT_END);
                r.set_kind(v1::WORK_UNSUBSIDIZED);
                *r.mutable_effective_date() = Today();
                JT_ASYNC(participations.get(), RecordOutcome, v1::Participation,
                         r, client, keep);
                break;
              }
            }
          });
    } else {
      std::cerr << "unknown workload " << workload << "\n";
      return 2;
    }
    const std::string server_p99 =
        metrics.empty()
            ? ""
            : ServerP99(before, ScrapeHistogram(metrics, MethodsOf(workload)));
    const bool baseline = workload == "empty" || workload == "empty_durable";
    Print(result,
          baseline                                              ? 0
          : workload == "lifecycle" || workload == "held_write" ? durable_qps
                                                                : empty_qps,
          server_p99);
  }
  return 0;
}

}  // namespace
}  // namespace jobtrack::load

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // As jobtrackd does: the driver and the empty server run gRPC as the
  // server does, without Abseil's Mutex deadlock detection.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (const std::string dir = absl::GetFlag(FLAGS_serve_empty); !dir.empty()) {
    return jobtrack::load::ServeBaselines(dir);
  }
  return jobtrack::load::Run("/proc/self/exe");
}
