// Disk faults (issue 9) against the real jobtrackd.
//
// A full disk, for real: jobtrackd's data directory on a small
// tmpfs that the test fills up. Writes are refused with UNAVAILABLE and a
// clear message, nothing of them is stored, reads go on, health checking
// says NOT_SERVING; once the test frees space, jobtrackd restarts itself
// and writes resume (polled with a 60 s bound; the time is printed).
// Mounting needs root: the test is skipped, saying so, without it.
//
// Corrupt files at start-up: a clear error and exit status 1, not a crash.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cpp/jobtrack_client.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "storage/storage.h"
#include "tests/e2e/daemon.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack::reliability {
namespace {

using e2e::Daemon;

v1::CreateModuleRequest NewModule(const std::string& name) {
  v1::CreateModuleRequest m;
  m.mutable_module()->set_display_name(name);
  m.mutable_module()->set_education_form(v1::KOMVUX);
  m.mutable_module()->set_length_weeks(4);
  m.mutable_module()->set_hours_per_week(20);
  client::EnsureRequestId(m);
  return m;
}

grpc::Status Create(const std::shared_ptr<grpc::Channel>& channel,
                    const v1::CreateModuleRequest& request,
                    v1::Module* module) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  return v1::ModuleService::NewStub(channel)->CreateModule(&context, request,
                                                           module);
}

// Every module's display name, page by page.
std::vector<std::string> ModuleNames(
    const std::shared_ptr<grpc::Channel>& channel) {
  std::vector<std::string> names;
  v1::ListModulesRequest list;
  list.set_page_size(1000);
  do {
    grpc::ClientContext context;
    v1::ListModulesResponse response;
    const grpc::Status status =
        v1::ModuleService::NewStub(channel)->ListModules(&context, list,
                                                         &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const auto& m : response.modules()) names.push_back(m.display_name());
    list.set_page_token(response.next_page_token());
  } while (!list.page_token().empty());
  return names;
}

class Mount {
 public:
  explicit Mount(const std::string& path) : path_(path) {
    mkdir(path.c_str(), 0755);
    mounted_ = mount("tmpfs", path.c_str(), "tmpfs", 0, "size=32m") == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~Mount() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_, error_;
  bool mounted_ = false;
};

// Writes `path` until the file system is full.
void Fill(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  const std::string block(1 << 16, 'x');
  while (out.write(block.data(), block.size()) && out.flush()) {
  }
}

TEST(DiskFullTest, WritesAreRefusedCleanlyAndResumeWhenSpaceReturns) {
  jobtrack::testing::TempDir dir;
  Mount disk(dir.path() + "/disk");
  if (!disk.mounted()) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << disk.error();
  }
  const int port = e2e::FreePort();
  Daemon daemon(dir.path(),
                {"--plaintext", "--data_dir=" + dir.path() + "/disk/data",
                 absl::StrCat("--listen=127.0.0.1:", port),
                 // RocksDB preallocates its log file up to this limit, and
                 // writes go on into that room once the disk is full:
                 // 1 MiB of it keeps the loop below short.
                 "--max_wal_mb=1"});
  ASSERT_EQ(daemon.WaitForPort(), port) << daemon.Log();
  auto channel = e2e::Connect(port);
  v1::Module before;
  ASSERT_TRUE(Create(channel, NewModule("Före"), &before).ok());

  Fill(dir.path() + "/disk/filler");
  // RocksDB's log file has room it took beforehand (see --max_wal_mb
  // above); once that is used, the disk is full for it too.
  std::vector<std::string> acknowledged = {"Före"};
  grpc::Status full;
  for (int i = 0; i < 10000 && full.ok(); ++i) {
    const std::string name = absl::StrCat("Under fyllnad ", i);
    v1::Module module;
    full = Create(channel, NewModule(name), &module);
    if (full.ok()) acknowledged.push_back(name);
  }
  EXPECT_EQ(full.error_code(), grpc::StatusCode::UNAVAILABLE)
      << full.error_message();
  EXPECT_NE(full.error_message().find("No space left on device"),
            std::string::npos)
      << full.error_message();
  // Later writes are refused at once, the same way.
  v1::Module module;
  const grpc::Status again = Create(channel, NewModule("Avvisad"), &module);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::UNAVAILABLE)
      << again.error_message();
  // Reads go on; what was acknowledged is there, nothing refused is.
  std::sort(acknowledged.begin(), acknowledged.end());
  std::vector<std::string> names = ModuleNames(channel);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, acknowledged);
  // Health says the server cannot take writes (polled: the watch runs
  // every second).
  std::string health;
  for (int i = 0; i < 100; ++i) {
    if (jobtrack::testing::CallWithBytes(
            channel, "/grpc.health.v1.Health/Check", "", &health)
            .ok() &&
        health == e2e::kHealthNotServing) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(health, e2e::kHealthNotServing);

  // Space returns: jobtrackd restarts itself, and writes work again.
  ASSERT_EQ(std::remove((dir.path() + "/disk/filler").c_str()), 0);
  const absl::Time freed = absl::Now();
  absl::Duration resumed = absl::InfiniteDuration();
  while (absl::Now() - freed < absl::Seconds(60)) {
    v1::Module after;
    if (Create(channel, NewModule("Efter"), &after).ok()) {
      resumed = absl::Now() - freed;
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_LT(resumed, absl::Seconds(60)) << daemon.Log();
  EXPECT_TRUE(daemon.Running());
  acknowledged.push_back("Efter");
  std::sort(acknowledged.begin(), acknowledged.end());
  names = ModuleNames(channel);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, acknowledged);
  const std::string log = daemon.Log();
  EXPECT_NE(log.find("storage refuses writes"), std::string::npos) << log;
  EXPECT_NE(log.find("restarting"), std::string::npos) << log;
  std::cout << "disk full: writes refused with UNAVAILABLE (\""
            << full.error_message().substr(0, 80)
            << "…\"), nothing stored; writes again "
            << absl::FormatDuration(resumed) << " after space returned\n";
}

// Starts jobtrackd on a database that one `corrupt` call has damaged; the
// wait status and the log.
std::pair<int, std::string> StartOnCorruptData(
    const std::function<void(const std::string& data_dir)>& corrupt) {
  jobtrack::testing::TempDir dir;
  {
    Daemon daemon(dir.path(), {"--plaintext", "--demo_data"});
    EXPECT_GT(daemon.WaitForPort(), 0) << daemon.Log();
    daemon.Kill(SIGTERM);
  }
  {
    // Into table files, so that there is something besides the log to
    // damage.
    storage::Options options;
    options.path = dir.path() + "/data";
    auto storage = storage::Storage::Open(options);
    EXPECT_TRUE(storage.ok()) << storage.status();
    EXPECT_TRUE((*storage)->Flush().ok());
  }
  corrupt(dir.path() + "/data");
  Daemon daemon(dir.path(), {"--plaintext"});
  EXPECT_EQ(daemon.WaitForPort(), 0) << "started on corrupt data";
  return {daemon.Wait(), daemon.Log()};
}

TEST(CorruptDataTest, ACorruptCurrentFileStopsStartUpWithAClearError) {
  auto [status, log] = StartOnCorruptData([](const std::string& data) {
    std::ofstream(data + "/CURRENT", std::ios::trunc) << "garbage\n";
  });
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal:\n" << log;
  EXPECT_EQ(WEXITSTATUS(status), 1) << log;
  EXPECT_NE(log.find("cannot open"), std::string::npos) << log;
  EXPECT_NE(log.find("CURRENT"), std::string::npos) << log;
}

TEST(CorruptDataTest, ACorruptTableFileStopsStartUpWithAClearError) {
  auto [status, log] = StartOnCorruptData([](const std::string& data) {
    EXPECT_GT(jobtrack::testing::DamageFiles(data, ".sst", 0.33), 0);
  });
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal:\n" << log;
  EXPECT_EQ(WEXITSTATUS(status), 1) << log;
  EXPECT_NE(log.find("orruption"), std::string::npos) << log;
}

}  // namespace
}  // namespace jobtrack::reliability
