// The whole of a file, for tests and benchmarks.
#ifndef JOBTRACK_TESTS_SUPPORT_READ_FILE_H_
#define JOBTRACK_TESTS_SUPPORT_READ_FILE_H_

#include <fstream>
#include <sstream>
#include <string>

namespace jobtrack::testing {

// The bytes of the file at `path`; "" if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace jobtrack::testing

#endif  // JOBTRACK_TESTS_SUPPORT_READ_FILE_H_
