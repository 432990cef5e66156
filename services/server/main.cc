// jobtrackd: the jobtrack gRPC server.
//
//   jobtrackd --data_dir=/var/lib/jobtrack --plaintext --listen=127.0.0.1:50051
//
// Flags can also come from a file: --flagfile=/etc/jobtrack/jobtrackd.flags.
// SIGTERM or SIGINT shuts down gracefully: new calls are refused, calls in
// flight finish (up to --shutdown_grace_seconds), the database is closed.
#include <malloc.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#ifdef JOBTRACK_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/admin/consistency_check.h"
#include "services/audit/audit_log.h"
#include "services/common/call_limiter.h"
#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/common/pii_hasher.h"
#include "services/common/secret_file.h"
#include "services/common/worker_pool.h"
#include "services/security/gatekeeper.h"
#include "services/security/principal_registry.h"
#include "services/server/demo_data.h"
#include "services/server/schema_migrations.h"
#include "services/server/server.h"
#include "storage/backup.h"
#include "storage/storage.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve on; port 0 picks a free port");
ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (required)");
ABSL_FLAG(bool, plaintext, false,
          "serve without TLS; local development only, loopback addresses only");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM server certificate chain (required unless --plaintext)");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of the server certificate (mode 0600)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA certificates for client certificates: mutual TLS, where a "
          "verified certificate's common name identifies a principal");
ABSL_FLAG(std::string, principals_file, "",
          "who may call (protobuf text, mode 0600; reloaded on SIGHUP). "
          "Required with TLS; without it, --plaintext serves every call as "
          "the local developer, an ADMIN");
ABSL_FLAG(std::string, pii_key_file, "",
          "file with the secret key (>= 32 bytes, mode 0600) for hashing "
          "personal identifiers; default <data_dir>.pii.key beside the data "
          "directory, created if "
          "missing");
ABSL_FLAG(std::string, backup_dir, "",
          "where AdminService.CreateBackup puts backups (none: backups off)");
ABSL_FLAG(int, restore_backup, 0,
          "restore backup ID from --backup_dir into --data_dir (which must "
          "be empty or absent), then exit without serving");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port for Prometheus metrics over HTTP (GET /metrics); "
          "empty: off");
ABSL_FLAG(std::string, health_listen, "",
          "host:port of a plaintext port serving gRPC health checking only "
          "(for Kubernetes probes; bind it to a pod-local address); empty: "
          "off");
ABSL_FLAG(int, max_concurrent_calls, 1024,
          "unary calls worked on at once; beyond it calls are answered "
          "RESOURCE_EXHAUSTED at once (clients back off and retry)");
ABSL_FLAG(int, max_streams_per_connection, 256,
          "HTTP/2 streams one client connection may have open at once");
ABSL_FLAG(int, grpc_memory_mb, 256,
          "memory gRPC may use for connections and buffers (resource quota)");
ABSL_FLAG(bool, check, false,
          "check the data directory's consistency (indexes, replay of every "
          "participation, seats, event log), print what was found and exit "
          "(0: consistent, 1: problems or unreadable data); the server must "
          "not be running on it");
ABSL_FLAG(bool, demo_data, false, "seed demo data if the database is empty");
ABSL_FLAG(std::string, port_file, "",
          "write the bound port to this file once serving");
ABSL_FLAG(int, request_ttl_hours, 24 * 7,
          "how long request_id records are kept for safe retries");
ABSL_FLAG(int, block_cache_mb, 64, "RocksDB block cache size");
ABSL_FLAG(int, memtable_mb, 64,
          "RocksDB memtables, all columns together (flushed beyond)");
ABSL_FLAG(int, max_wal_mb, 16,
          "RocksDB WAL not yet flushed (flushed beyond): what a start "
          "after a crash replays");
ABSL_FLAG(int, write_threads, 64,
          "threads that answer writing calls (1-1024): as many durable "
          "commits can share one WAL sync");
ABSL_FLAG(
    std::string, matching_weights, "",
    "override matching weights, e.g. \"occupation=4,start_window_days=90\" "
    "(see README)");
ABSL_FLAG(std::string, follow_up_dates, "01-31,04-30,09-30",
          "the follow-up dates of every year, MM-DD, comma-separated");
ABSL_FLAG(std::string, follow_up_series_start, "2018-01-01",
          "first day of the follow-up series (\"since the first follow-up\")");
ABSL_FLAG(bool, suppress_small_cells, false,
          "withhold follow-up figures built on 1-4 persons from ADMIN callers "
          "too (every other role always gets them withheld)");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "how long calls in flight may run after SIGTERM");
ABSL_FLAG(int, checkpoint_minutes, 30,
          "how often the matching index saves its checkpoint while serving "
          "(0: only at a stop), bounding what a start after a crash re-reads");

namespace jobtrack {
namespace {

// Gives the allocator's free pages back to the system. jobtrackd allocates
// with TCMalloc (services/CMakeLists.txt), which keeps freed spans in its
// page heap: glibc's malloc_trim does not reach them. Under the sanitizers
// glibc's (or the sanitizer's) allocator is in place.
void ReturnFreeMemory() {
#ifdef JOBTRACK_TCMALLOC
  MallocExtension::instance()->ReleaseFreeMemory();
#else
  malloc_trim(0);
#endif
}

// The allocator's own figures for the metrics exposition: what the
// program holds, and what the allocator keeps besides (free in its page
// heap, cached per thread), so that resident memory can be told apart.
void AllocatorMetrics(std::string& out) {
#ifdef JOBTRACK_TCMALLOC
  struct Figure {
    const char* property;
    const char* name;
    const char* help;
  };
  static constexpr Figure kFigures[] = {
      {"generic.current_allocated_bytes", "jobtrack_heap_allocated_bytes",
       "Bytes the program holds from the allocator."},
      {"generic.heap_size", "jobtrack_heap_size_bytes",
       "Bytes the allocator has from the system, some returned."},
      {"tcmalloc.pageheap_free_bytes", "jobtrack_heap_free_bytes",
       "Free bytes in the allocator's page heap, still resident."},
      {"tcmalloc.pageheap_unmapped_bytes", "jobtrack_heap_returned_bytes",
       "Free bytes returned to the system."},
      {"tcmalloc.current_total_thread_cache_bytes",
       "jobtrack_heap_thread_cache_bytes",
       "Free bytes cached by threads for their next allocations."},
  };
  for (const Figure& f : kFigures) {
    size_t value = 0;
    if (MallocExtension::instance()->GetNumericProperty(f.property, &value)) {
      absl::StrAppend(&out, "# HELP ", f.name, " ", f.help, "\n# TYPE ", f.name,
                      " gauge\n", f.name, " ", value, "\n");
    }
  }
#else
  (void)out;
#endif
}

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") ||
         absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

// Server credentials from --tls_cert_file and --tls_key_file; with
// --tls_client_ca_file, client certificates are requested and verified
// when presented (a caller may authenticate by token instead).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials() {
  const std::string cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key_file = absl::GetFlag(FLAGS_tls_key_file);
  if (cert_file.empty() || key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs --tls_cert_file and --tls_key_file (or --plaintext on "
        "loopback for local development)");
  }
  auto read = [](const std::string& path) -> absl::StatusOr<std::string> {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
    }
    return content.str();
  };
  absl::StatusOr<std::string> cert = read(cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadSecretFile(key_file, "TLS key file");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (const std::string ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
      !ca_file.empty()) {
    absl::StatusOr<std::string> ca = read(ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// Run() asks main() to exec jobtrackd again with the same arguments.
constexpr int kRestart = -1;
// Whether the file system of `path` has room for writes to resume after it
// was full: 64 MiB free, or an eighth of a smaller file system.
bool HasRoomToResume(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) return false;
  const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  const uint64_t size = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  return free >= std::min(uint64_t{64} << 20, size / 8);
}

// --check: the consistency check of `data_dir`, its figures on stdout. Opens
// the database like the server (which must not be running on it) and
// writes nothing but what RocksDB itself writes when it opens: data of an
// older schema is refused until the server, starting on it, migrates it.
int Check(const std::string& data_dir) {
  if (absl::Status s = LoadSwedishTimeZone(); !s.ok()) {
    LogError(s.message());
    return 2;
  }
  SystemClock clock;
  RandomIdGenerator ids;
  storage::Options options;
  options.path = data_dir;
  absl::StatusOr<std::unique_ptr<storage::Storage>> storage =
      storage::Storage::Open(options);
  if (!storage.ok()) {
    LogError("cannot open ", data_dir, ": ", storage.status().ToString());
    return 1;
  }
  // The check reads stored terms; it hashes nothing, so needs no key.
  absl::StatusOr<ConsistencyReport> report = CheckConsistency(
      Deps{.storage = storage->get(), .clock = &clock, .ids = &ids});
  if (!report.ok()) {
    LogError("check: ", report.status().ToString());
    return 1;
  }
  std::cout << "records " << report->records << ", participations "
            << report->participations << ", intakes " << report->intakes
            << ", events " << report->events << ": "
            << (report->ok() ? "consistent" : "PROBLEMS") << "\n";
  for (const std::string& problem : report->problems) {
    std::cout << "  " << problem << "\n";
  }
  return report->ok() ? 0 : 1;
}

int Run() {
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string listen = absl::GetFlag(FLAGS_listen);
  if (data_dir.empty()) {
    LogError("--data_dir is required");
    return 2;
  }
  if (absl::GetFlag(FLAGS_check)) return Check(data_dir);
  const std::string backup_dir = absl::GetFlag(FLAGS_backup_dir);
  if (const int id = absl::GetFlag(FLAGS_restore_backup); id != 0) {
    if (backup_dir.empty() || id < 0) {
      LogError("--restore_backup needs --backup_dir and a backup id >= 1");
      return 2;
    }
    storage::Backups backups(backup_dir);
    if (absl::Status s = backups.Restore(static_cast<uint32_t>(id), data_dir);
        !s.ok()) {
      LogError("restore: ", s.ToString());
      return 1;
    }
    LogInfo("restored backup ", id, " from ", backup_dir, " into ", data_dir);
    return 0;
  }
  const bool plaintext = absl::GetFlag(FLAGS_plaintext);
  if (plaintext && !IsLoopback(listen)) {
    LogError(
        "--plaintext serves only on loopback (127.0.0.0/8, localhost, "
        "[::1]); refusing ",
        listen);
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      plaintext ? grpc::InsecureServerCredentials() : TlsCredentials();
  if (!credentials.ok()) {
    LogError(credentials.status().message());
    return 2;
  }
  const std::string principals_file = absl::GetFlag(FLAGS_principals_file);
  if (!plaintext && principals_file.empty()) {
    LogError("TLS serving needs --principals_file (who may call)");
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

  for (const auto& [flag, mb] :
       {std::pair{"block_cache_mb", absl::GetFlag(FLAGS_block_cache_mb)},
        std::pair{"memtable_mb", absl::GetFlag(FLAGS_memtable_mb)},
        std::pair{"max_wal_mb", absl::GetFlag(FLAGS_max_wal_mb)}}) {
    if (mb < 1 || mb > 1 << 20) {
      LogError("--", flag, " must be 1-1048576 (MiB), not ", mb);
      return 2;
    }
  }

  SystemClock clock;
  RandomIdGenerator ids;
  storage::Options storage_options;
  storage_options.path = data_dir;
  storage_options.block_cache_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
  storage_options.memtable_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_memtable_mb)) << 20;
  storage_options.max_wal_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_wal_mb)) << 20;
  storage_options.request_ttl =
      absl::Hours(absl::GetFlag(FLAGS_request_ttl_hours));
  storage_options.now = [&clock] { return clock.Now(); };
  storage_options.migrations = SchemaMigrations();
  const absl::Time opening = absl::Now();
  absl::StatusOr<std::unique_ptr<storage::Storage>> storage =
      storage::Storage::Open(storage_options);
  if (!storage.ok()) {
    LogError("cannot open ", data_dir, ": ", storage.status().ToString());
    return 1;
  }
  // After a crash, mostly the replay of RocksDB's write-ahead log.
  LogInfo("storage opened in ", absl::FormatDuration(absl::Now() - opening));
  absl::StatusOr<std::unique_ptr<AuditLog>> audit =
      AuditLog::Open(storage->get(), &clock);
  if (!audit.ok()) {
    LogError("cannot open the audit log: ", audit.status().ToString());
    return 1;
  }
  std::unique_ptr<PrincipalRegistry> principals;
  std::unique_ptr<Gatekeeper> gatekeeper;
  if (principals_file.empty()) {
    LogWarning(
        "no --principals_file: every call is served as local-developer "
        "(ADMIN); for local development only");
    gatekeeper = Gatekeeper::LocalDevelopment(audit->get());
  } else {
    absl::StatusOr<std::unique_ptr<PrincipalRegistry>> loaded =
        PrincipalRegistry::Load(principals_file, &clock);
    if (!loaded.ok()) {
      LogError(loaded.status().message());
      return 2;
    }
    principals = *std::move(loaded);
    gatekeeper = std::make_unique<Gatekeeper>(principals.get(), storage->get(),
                                              audit->get());
  }
  const int write_threads = absl::GetFlag(FLAGS_write_threads);
  if (write_threads < 1 || write_threads > 1024) {
    LogError("--write_threads must be 1-1024, not ", write_threads);
    return 2;
  }
  const int max_calls = absl::GetFlag(FLAGS_max_concurrent_calls);
  const int max_streams = absl::GetFlag(FLAGS_max_streams_per_connection);
  const int grpc_memory_mb = absl::GetFlag(FLAGS_grpc_memory_mb);
  if (max_calls < 1 || max_streams < 1 || grpc_memory_mb < 16) {
    LogError(
        "--max_concurrent_calls and --max_streams_per_connection must be at "
        "least 1, --grpc_memory_mb at least 16");
    return 2;
  }
  // Outlive the server, whose calls they finish.
  WorkerPool writers(write_threads);
  gatekeeper->RunWritesOn(&writers);
  CallLimiter limiter(max_calls);
  gatekeeper->LimitCallsWith(&limiter);
  Deps deps{.storage = storage->get(),
            .clock = &clock,
            .ids = &ids,
            .hasher = &*hasher,
            .gatekeeper = gatekeeper.get(),
            .audit = audit->get()};

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
  options.backup_dir = backup_dir;
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.process_metrics = AllocatorMetrics;
  options.health_listen = absl::GetFlag(FLAGS_health_listen);
  options.max_streams_per_connection = max_streams;
  options.grpc_memory_bytes = int64_t{grpc_memory_mb} << 20;
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
      Server::Start(options, deps, *credentials);
  if (!server.ok()) {
    LogError(server.status().message());
    return 1;
  }
  // Building the in-memory views freed a lot (the projection checkpoint's
  // buffer, parsed records): give it back to the system, so that resident
  // memory is what the server holds.
  ReturnFreeMemory();
  const int port = (*server)->port();
  LogInfo("serving on port ", port,
          plaintext ? " (plaintext)"
          : absl::GetFlag(FLAGS_tls_client_ca_file).empty()
              ? " (TLS)"
              : " (TLS, client certificates verified)",
          ", data in ", data_dir);
  if ((*server)->health_port() != 0) {
    LogInfo("health checks (plaintext) on port ", (*server)->health_port());
  }
  if ((*server)->metrics_port() != 0) {
    LogInfo("metrics on port ", (*server)->metrics_port(), " (GET /metrics)");
  }
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

  // A start after a crash continues the matching index's checkpoint from
  // the event log before it serves: saved only at a stop, that would be
  // everything since the last stop.
  absl::Notification stop_checkpoints;
  std::thread checkpointer([&] {
    const int minutes = absl::GetFlag(FLAGS_checkpoint_minutes);
    if (minutes <= 0) return;
    while (!stop_checkpoints.WaitForNotificationWithTimeout(
        absl::Minutes(minutes))) {
      const absl::Time began = absl::Now();
      if (absl::Status s = (*server)->SaveCheckpointsWhileServing(); !s.ok()) {
        LogWarning("checkpoint while serving: ", s.ToString());
      } else {
        LogInfo(
            "matching index checkpoint (if anything changed) and flush "
            "while serving: ",
            absl::FormatDuration(absl::Now() - began));
      }
    }
  });

  // TCMalloc hands freed pages back only gradually, as more is freed, so
  // after a burst (many writers at once, a report over the whole history)
  // a server that goes quiet would keep its peak resident. Every 10 s the
  // free pages go back; a page used again costs one fault.
  std::thread memory_returner([&] {
    while (!stopping.WaitForNotificationWithTimeout(absl::Seconds(10))) {
      ReturnFreeMemory();
    }
  });

  // A full disk: storage refuses writes (each answered UNAVAILABLE, nothing
  // half-written) and keeps serving reads, until it is reopened (RocksDB
  // cannot resume in place safely, see storage.h). So once the data
  // directory has room again, restart in place (SIGUSR1 to the loop below:
  // a clean shutdown, then exec of the same command line), and writes
  // resume.
  std::thread disk_watch([&] {
    bool reported = false;
    while (!stopping.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      const absl::Status failure = (*storage)->WriteFailure();
      if (failure.ok()) {
        reported = false;
        continue;
      }
      if (!reported) {
        LogError("storage refuses writes: ", failure.message(),
                 "; serving reads only (health NOT_SERVING) until the data "
                 "directory has room again, then restarting to resume writes");
        (*server)->SetServing(false);
        reported = true;
      }
      if (HasRoomToResume(data_dir)) {
        LogInfo("the data directory has room again: restarting");
        kill(getpid(), SIGUSR1);
        return;
      }
    }
  });

  // Signals were blocked in main() before any thread started, so only this
  // thread receives them. SIGHUP reloads the principals file.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    if (principals == nullptr) {
      LogInfo("SIGHUP: no principals file to reload");
    } else if (absl::Status s = principals->Reload(); s.ok()) {
      LogInfo("SIGHUP: principals reloaded");
    } else {
      LogWarning("SIGHUP: principals kept, the file does not load: ",
                 s.message());
    }
  }
  const bool restart = received == SIGUSR1;
  LogInfo(restart               ? "restarting"
          : received == SIGTERM ? "received SIGTERM, shutting down"
                                : "received SIGINT, shutting down");
  stop_checkpoints.Notify();
  checkpointer.join();
  (*server)->Shutdown(
      absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  stopping.Notify();
  purger.join();
  memory_returner.join();
  disk_watch.join();
  server->reset();
  storage->reset();
  if (restart) return kRestart;
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
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::SetProgramUsageMessage(
      "jobtrack gRPC server.\n  jobtrackd --data_dir=DIR --plaintext "
      "[--listen=127.0.0.1:50051] [--demo_data]");
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil is built with Mutex deadlock detection on: every lock,
  // ours and gRPC's, then updates a global lock graph (about 8 % of a
  // GetTrack call's CPU). The tests keep it on to catch lock-order bugs.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const int code = jobtrack::Run();
  if (code == jobtrack::kRestart) {
    execv("/proc/self/exe", argv);
    jobtrack::LogError("cannot restart: exec failed");
    return 1;
  }
  return code;
}
