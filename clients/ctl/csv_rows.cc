#include "clients/ctl/csv_rows.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"

namespace jobtrack::ctl {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

absl::Status Bad(absl::string_view column, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, ": ", why));
}

absl::Status SetValue(Message* m, const FieldDescriptor* f,
                      absl::string_view text) {
  const auto* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(m, f, std::string(text))
          : r->SetString(m, f, std::string(text));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return Bad(f->name(), "not a number");
      rep ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return Bad(f->name(), "not a number");
      rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      const std::string v = absl::AsciiStrToLower(text);
      bool b;
      if (v == "true" || v == "yes" || v == "1") {
        b = true;
      } else if (v == "false" || v == "no" || v == "0") {
        b = false;
      } else {
        return Bad(f->name(), "not true or false");
      }
      rep ? r->AddBool(m, f, b) : r->SetBool(m, f, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value =
          f->enum_type()->FindValueByName(absl::AsciiStrToUpper(text));
      if (value == nullptr) {
        return Bad(f->name(), absl::StrCat("`", text, "` is not a value of ",
                                           f->enum_type()->name()));
      }
      rep ? r->AddEnum(m, f, value) : r->SetEnum(m, f, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (f->message_type()->full_name() != "jobtrack.v1.Date") break;
      absl::CivilDay day;
      if (!absl::ParseCivilTime(text, &day)) {
        return Bad(f->name(), "not a date (yyyy-mm-dd)");
      }
      Message* date = rep ? r->AddMessage(m, f) : r->MutableMessage(m, f);
      const auto* d = date->GetDescriptor();
      const auto* dr = date->GetReflection();
      dr->SetInt32(date, d->FindFieldByName("year"),
                   static_cast<int32_t>(day.year()));
      dr->SetInt32(date, d->FindFieldByName("month"), day.month());
      dr->SetInt32(date, d->FindFieldByName("day"), day.day());
      return absl::OkStatus();
    }
    default:
      break;
  }
  return Bad(f->name(), "cannot be imported from CSV");
}

}  // namespace

absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string cell;
  int line = 1;
  bool quoted = false, in_row = false;
  int quote_line = 0;
  auto end_cell = [&] {
    row.cells.push_back(std::move(cell));
    cell.clear();
  };
  auto end_row = [&] {
    end_cell();
    const bool blank = row.cells.size() == 1 && row.cells[0].empty();
    if (!blank) rows.push_back(std::move(row));
    row = CsvRow();
    in_row = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_row) {
      row.line = line;
      in_row = true;
    }
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty()) {
      quoted = true;
      quote_line = line;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_row();
      ++line;
    } else {
      cell += c;
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", quote_line, ": a quoted field never ends"));
  }
  if (in_row) end_row();
  return rows;
}

absl::Status FillFromRow(const std::vector<std::string>& header,
                         const CsvRow& row, const std::set<std::string>& skip,
                         Message* message) {
  if (row.cells.size() != header.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        row.cells.size(), " cells, the header has ", header.size()));
  }
  const auto* d = message->GetDescriptor();
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string column(absl::StripAsciiWhitespace(header[i]));
    if (skip.contains(column)) continue;
    const FieldDescriptor* f = d->FindFieldByName(column);
    if (f == nullptr) return Bad(column, "no such field");
    const absl::string_view value = absl::StripAsciiWhitespace(row.cells[i]);
    if (value.empty()) continue;
    if (!f->is_repeated()) {
      if (absl::Status s = SetValue(message, f, value); !s.ok()) return s;
      continue;
    }
    for (absl::string_view part : absl::StrSplit(value, ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (part.empty()) continue;
      if (absl::Status s = SetValue(message, f, part); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace jobtrack::ctl
