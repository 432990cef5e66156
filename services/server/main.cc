// jobtrackd: the jobtrack gRPC server.
//
//   jobtrackd --data_dir=/var/lib/jobtrack --plaintext --listen=127.0.0.1:50051
//
// Flags can also come from a file: --flagfile=/etc/jobtrack/jobtrackd.flags.
// SIGTERM or SIGINT shuts down gracefully: new calls are refused, calls in
// flight finish (up to --shutdown_grace_seconds), the database is closed.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/common/pii_hasher.h"
#include "services/server/demo_data.h"
#include "services/server/server.h"
#include "storage/storage.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve on; port 0 picks a free port");
ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (required)");
ABSL_FLAG(bool, plaintext, false,
          "serve without TLS; local development only, loopback addresses only");
ABSL_FLAG(std::string, pii_key_file, "",
          "file with the secret key (>= 32 bytes, mode 0600) for hashing "
          "personal identifiers; default <data_dir>.pii.key beside the data "
          "directory, created if "
          "missing");
ABSL_FLAG(bool, demo_data, false, "seed demo data if the database is empty");
ABSL_FLAG(std::string, port_file, "",
          "write the bound port to this file once serving");
ABSL_FLAG(int, request_ttl_hours, 24 * 7,
          "how long request_id records are kept for safe retries");
ABSL_FLAG(int, block_cache_mb, 64, "RocksDB block cache size");
ABSL_FLAG(
    std::string, matching_weights, "",
    "override matching weights, e.g. \"occupation=4,start_window_days=90\" "
    "(see README)");
ABSL_FLAG(std::string, follow_up_dates, "01-31,04-30,09-30",
          "the follow-up dates of every year, MM-DD, comma-separated");
ABSL_FLAG(std::string, follow_up_series_start, "2018-01-01",
          "first day of the follow-up series (\"since the first follow-up\")");
ABSL_FLAG(bool, suppress_small_cells, true,
          "withhold report figures built on 1-4 persons");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "how long calls in flight may run after SIGTERM");

namespace jobtrack {
namespace {

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") ||
         absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

int Run() {
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string listen = absl::GetFlag(FLAGS_listen);
  if (data_dir.empty()) {
    LogError("--data_dir is required");
    return 2;
  }
  if (!absl::GetFlag(FLAGS_plaintext)) {
    LogError(
        "TLS serving is not built yet; pass --plaintext to serve on a "
        "loopback address for local development");
    return 2;
  }
  if (!IsLoopback(listen)) {
    LogError(
        "--plaintext serves only on loopback (127.0.0.0/8, localhost, "
        "[::1]); refusing ",
        listen);
    return 2;
  }
  if (absl::Status s = LoadSwedishTimeZone(); !s.ok()) {
    LogError(s.message());
    return 2;
  }

  std::string key_file = absl::GetFlag(FLAGS_pii_key_file);
  absl::StatusOr<PiiHasher> hasher =
      key_file.empty() ? PiiHasher::FromKeyFileCreatingIfMissing(
                             absl::StrCat(data_dir, ".pii.key"))
                       : PiiHasher::FromKeyFile(key_file);
  if (!hasher.ok()) {
    LogError(hasher.status().message());
    return 2;
  }

  SystemClock clock;
  RandomIdGenerator ids;
  storage::Options storage_options;
  storage_options.path = data_dir;
  storage_options.block_cache_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
  storage_options.request_ttl =
      absl::Hours(absl::GetFlag(FLAGS_request_ttl_hours));
  storage_options.now = [&clock] { return clock.Now(); };
  absl::StatusOr<std::unique_ptr<storage::Storage>> storage =
      storage::Storage::Open(storage_options);
  if (!storage.ok()) {
    LogError("cannot open ", data_dir, ": ", storage.status().ToString());
    return 1;
  }
  Deps deps{.storage = storage->get(),
            .clock = &clock,
            .ids = &ids,
            .hasher = &*hasher};

  if (absl::GetFlag(FLAGS_demo_data)) {
    absl::StatusOr<bool> seeded = SeedDemoDataIfEmpty(deps);
    if (!seeded.ok()) {
      LogError("demo data: ", seeded.status().ToString());
      return 1;
    }
    LogInfo(*seeded ? "seeded demo data"
                    : "data present; demo data not seeded");
  }

  ServerOptions options;
  options.listen_address = listen;
  if (absl::Status s = ParseMatchingWeights(
          absl::GetFlag(FLAGS_matching_weights), &options.matching);
      !s.ok()) {
    LogError("--matching_weights: ", s.message());
    return 2;
  }
  absl::StatusOr<std::vector<std::pair<int, int>>> dates =
      ParsePeriodDates(absl::GetFlag(FLAGS_follow_up_dates));
  if (!dates.ok()) {
    LogError("--follow_up_dates: ", dates.status().message());
    return 2;
  }
  options.follow_up.period_dates = *dates;
  absl::CivilDay series_start;
  if (!absl::ParseCivilTime(absl::GetFlag(FLAGS_follow_up_series_start),
                            &series_start)) {
    LogError("--follow_up_series_start: not a date (yyyy-mm-dd)");
    return 2;
  }
  options.follow_up.report.series_start = series_start;
  options.follow_up.suppress_small_cells =
      absl::GetFlag(FLAGS_suppress_small_cells);
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start(options, deps, grpc::InsecureServerCredentials());
  if (!server.ok()) {
    LogError(server.status().message());
    return 1;
  }
  const int port = (*server)->port();
  LogInfo("serving on port ", port, " (plaintext), data in ", data_dir);
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file);
      !port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    { std::ofstream(tmp) << port << "\n"; }
    std::rename(tmp.c_str(), port_file.c_str());
  }

  // Expired request-id records are dropped by compaction; compact their
  // column family regularly so they do not linger on a quiet server.
  absl::Notification stopping;
  std::thread purger([&] {
    while (!stopping.WaitForNotificationWithTimeout(absl::Hours(1))) {
      if (absl::Status s = (*storage)->PurgeExpiredRequests(); !s.ok()) {
        LogWarning("purging expired request ids: ", s.ToString());
      }
    }
  });

  // Signals were blocked in main() before any thread started, so only this
  // thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  sigwait(&signals, &received);
  LogInfo("received ", received == SIGTERM ? "SIGTERM" : "SIGINT",
          ", shutting down");
  (*server)->Shutdown(
      absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  stopping.Notify();
  purger.join();
  server->reset();
  storage->reset();
  LogInfo("stopped cleanly");
  return 0;
}

}  // namespace
}  // namespace jobtrack

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::SetProgramUsageMessage(
      "jobtrack gRPC server.\n  jobtrackd --data_dir=DIR --plaintext "
      "[--listen=127.0.0.1:50051] [--demo_data]");
  absl::ParseCommandLine(argc, argv);
  return jobtrack::Run();
}
