// End-to-end test support: the real jobtrackd as a child process, and
// small clients for what a test does to it (gRPC, HTTP, commands).
#ifndef JOBTRACK_TESTS_E2E_DAEMON_H_
#define JOBTRACK_TESTS_E2E_DAEMON_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/http_get.h"
#include "tests/support/read_file.h"

namespace jobtrack::e2e {

using testing::ReadFile;

// A jobtrackd child process. Its stderr goes to a log file in the temp dir.
class Daemon {
 public:
  Daemon(const std::string& dir, std::vector<std::string> extra = {})
      : dir_(dir), port_file_(dir + "/port"), log_(dir + "/jobtrackd.log") {
    std::remove(port_file_.c_str());
    std::vector<std::string> args = {
        JOBTRACKD_PATH, "--data_dir=" + dir + "/data", "--listen=127.0.0.1:0",
        "--port_file=" + port_file_};
    for (auto& e : extra) args.push_back(e);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Daemon() {
    if (pid_ > 0) Kill(SIGKILL);
  }

  // Waits (up to 60 s) for the port file; 0 if the process died first.
  int WaitForPort() {
    for (int i = 0; i < 600; ++i) {
      std::string text = ReadFile(port_file_);
      if (!text.empty()) return std::stoi(text);
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
  }

  // Sends `signal` and reaps the process; returns its wait status.
  int Kill(int signal) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = status;
    return status;
  }

  // Waits for the process to exit by itself.
  int Wait() {
    if (pid_ <= 0) return exit_status_;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = status;
    return status;
  }

  std::string Log() const { return ReadFile(log_); }

  // The process id (-1 once reaped).
  pid_t pid() const { return pid_; }
  // Whether the process is still running (reaps it if it has exited).
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return false;
    }
    return true;
  }
  // Resident memory in KiB (VmRSS), 0 if unknown.
  long ResidentKib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
  }

  // Sends `signal` without waiting (SIGHUP).
  void Signal(int signal) {
    if (pid_ > 0) kill(pid_, signal);
  }

 private:
  std::string dir_, port_file_, log_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

// A port that was free a moment ago on 127.0.0.1.
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// The body of an HTTP GET of `path` on 127.0.0.1:`port` with its status
// line first ("HTTP/1.1 200 OK").
inline std::string HttpGet(int port, const std::string& path) {
  return testing::HttpGet("127.0.0.1", port, path);
}

inline std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureChannelCredentials());
}

// grpc.health.v1 HealthCheckResponse bytes: {status: SERVING} and
// {status: NOT_SERVING} (field 1, varint 1 or 2).
inline const std::string kHealthServing("\x08\x01", 2);
inline const std::string kHealthNotServing("\x08\x02", 2);

// Runs a command, returns its stdout and sets `exit_code`.
inline std::string RunCommand(const std::string& command, int* exit_code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  *exit_code = WEXITSTATUS(pclose(pipe));
  return out;
}

}  // namespace jobtrack::e2e

#endif  // JOBTRACK_TESTS_E2E_DAEMON_H_
