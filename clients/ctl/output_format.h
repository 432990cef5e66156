// How jobtrackctl prints what it gets: JSON (the API's own form), an
// aligned table for people, or CSV for spreadsheets.
#ifndef JOBTRACK_CLIENTS_CTL_OUTPUT_FORMAT_H_
#define JOBTRACK_CLIENTS_CTL_OUTPUT_FORMAT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace jobtrack::ctl {

enum class Format { kJson, kTable, kCsv };

// "json", "table" or "csv"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view name);

// Rows under a header.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// A message as rows: a list response (its first repeated message field,
// e.g. `tracks`) gives a row per item; any other message one row. Columns
// are the scalar fields in declaration order: strings, numbers, enums and
// bools as text, dates as yyyy-mm-dd, timestamps in RFC 3339, repeated
// values joined by ";". Nested messages other than dates and timestamps
// are left out (use JSON for everything).
Table ToTable(const google::protobuf::Message& message);

// Prints `table` aligned (cells cut at 48 characters) or as CSV (RFC 4180
// quoting).
void PrintTable(const Table& table, Format format, std::ostream& out);

// Prints `message` as `format`: JSON as the API writes it, or ToTable.
void PrintMessage(const google::protobuf::Message& message, Format format,
                  std::ostream& out);

// One CSV line (RFC 4180 quoting, CRLF), as PrintTable writes them.
void PrintCsvRow(const std::vector<std::string>& cells, std::ostream& out);

// A CSV field, quoted if it must be.
std::string CsvField(absl::string_view value);

}  // namespace jobtrack::ctl

#endif  // JOBTRACK_CLIENTS_CTL_OUTPUT_FORMAT_H_
