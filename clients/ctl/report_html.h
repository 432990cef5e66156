// A follow-up report as one self-contained HTML page: every figure in a
// table, and charts drawn as inline SVG (tracks by kind, tracks and
// employers by industry, outcomes by track kind, gender). No scripts, no
// external files: it opens from disk, without a server.
#ifndef JOBTRACK_CLIENTS_CTL_REPORT_HTML_H_
#define JOBTRACK_CLIENTS_CTL_REPORT_HTML_H_

#include <string>

#include "jobtrack/v1/followup.pb.h"

namespace jobtrack::ctl {

// Withheld figures (small cells) read "withheld" in the table and are left
// out of the charts, which say so.
std::string ReportHtml(const v1::Report& report);

// A figure's value as people read it: "withheld" for a small cell, a share
// in per cent, or the count.
std::string FigureValue(const v1::Figure& figure);

}  // namespace jobtrack::ctl

#endif  // JOBTRACK_CLIENTS_CTL_REPORT_HTML_H_
