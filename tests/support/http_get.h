// A plain HTTP/1.1 GET for tests and benchmarks (the metrics endpoint).
#ifndef JOBTRACK_TESTS_SUPPORT_HTTP_GET_H_
#define JOBTRACK_TESTS_SUPPORT_HTTP_GET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace jobtrack::testing {

// The whole response (status line, headers, body) to `GET path` on the
// IPv4 address `host` ("localhost" for 127.0.0.1) and `port`; "" if the
// connection fails.
inline std::string HttpGet(const std::string& host, int port,
                           const std::string& path) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(),
                &address.sin_addr) != 1) {
    return "";
  }
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return "";
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ", host, "\r\n\r\n");
  send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

}  // namespace jobtrack::testing

#endif  // JOBTRACK_TESTS_SUPPORT_HTTP_GET_H_
