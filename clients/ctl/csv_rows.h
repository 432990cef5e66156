// CSV in, request messages out: the parsing half of `jobtrackctl import`.
#ifndef JOBTRACK_CLIENTS_CTL_CSV_ROWS_H_
#define JOBTRACK_CLIENTS_CTL_CSV_ROWS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace jobtrack::ctl {

struct CsvRow {
  int line = 0;  // Where the row starts in the file, from 1.
  std::vector<std::string> cells;
};

// RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks;
// CRLF or LF line ends; blank lines skipped). INVALID_ARGUMENT naming the
// line of an unterminated quote.
absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text);

// Sets the fields of `message` named by `header` from `cells`: strings as
// they are, numbers in decimal, enums by value name, bools as
// true/false/yes/no/1/0, jobtrack.v1.Date as yyyy-mm-dd, repeated fields as
// values separated by ";". Empty cells leave a field unset; columns in
// `skip` are left to the caller. INVALID_ARGUMENT naming the column for an
// unknown column, a wrong number of cells or a value that does not fit.
absl::Status FillFromRow(const std::vector<std::string>& header,
                         const CsvRow& row, const std::set<std::string>& skip,
                         google::protobuf::Message* message);

}  // namespace jobtrack::ctl

#endif  // JOBTRACK_CLIENTS_CTL_CSV_ROWS_H_
