// `jobtrackctl import employers|participants|tracks FILE.csv`: creates one
// resource per row through the API, goes on past rows the server refuses,
// and ends with a summary that names each refused row by line and reason.
//
// Re-running a file creates nothing twice: a row whose resource is already
// there (an employer with the same organisation number and name, a
// participant with the same personnummer, a track with the same name in
// the same municipalities) counts as present, and each row is sent with a
// request_id derived from its content, so a retried or repeated row within
// the server's request-id window returns the first answer (counted as
// present: the resource it returns was made before this run). A participant
// without a personnummer has no other key: after the window (7 days by
// default) a re-run registers it again.
#ifndef JOBTRACK_CLIENTS_CTL_CSV_IMPORT_H_
#define JOBTRACK_CLIENTS_CTL_CSV_IMPORT_H_

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "clients/cpp/jobtrack_client.h"

namespace jobtrack::ctl {

// The columns each kind takes, for --help.
extern const char kImportColumnsHelp[];

struct ImportSummary {
  int rows = 0;
  int created = 0;
  int present = 0;
  int rejected = 0;
};

// Imports `path` as `kind`; prints the progress to `progress` (if not
// null) and the summary to `out`. The exit code: 0 if every row is in, 1
// if some were refused, 2 if the file cannot be read or parsed.
int ImportCsv(client::Client& client, absl::string_view kind,
              const std::string& path, std::ostream& out,
              std::ostream* progress, ImportSummary* summary = nullptr);

}  // namespace jobtrack::ctl

#endif  // JOBTRACK_CLIENTS_CTL_CSV_IMPORT_H_
