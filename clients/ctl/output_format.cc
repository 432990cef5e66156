#include "clients/ctl/output_format.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"

namespace jobtrack::ctl {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kMaxCell = 48;

bool IsDate(const google::protobuf::Descriptor* d) {
  return d->full_name() == "jobtrack.v1.Date";
}
bool IsTimestamp(const google::protobuf::Descriptor* d) {
  return d->full_name() == "google.protobuf.Timestamp";
}

// Whether `field` makes a column.
bool IsColumn(const FieldDescriptor* field) {
  if (field->type() != FieldDescriptor::TYPE_MESSAGE) return true;
  return !field->is_repeated() &&
         (IsDate(field->message_type()) || IsTimestamp(field->message_type()));
}

std::string MessageText(const Message& m) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  if (IsDate(d)) {
    const int y = r->GetInt32(m, d->FindFieldByName("year"));
    if (y == 0) return "";
    return absl::StrFormat("%04d-%02d-%02d", y,
                           r->GetInt32(m, d->FindFieldByName("month")),
                           r->GetInt32(m, d->FindFieldByName("day")));
  }
  const auto& t = static_cast<const google::protobuf::Timestamp&>(m);
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

std::string ValueText(const Message& m, const FieldDescriptor* f, int index) {
  const auto* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index)
                              : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index)
                              : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index)
                              : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index)
                              : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrFormat(
          "%.4g", rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrFormat(
          "%.4g", rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                 ? "true"
                 : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return (rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name();
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageText(rep ? r->GetRepeatedMessage(m, f, index)
                             : r->GetMessage(m, f));
  }
  return "";
}

std::string Cell(const Message& m, const FieldDescriptor* f) {
  if (!f->is_repeated()) return ValueText(m, f, 0);
  std::vector<std::string> parts;
  for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i) {
    parts.push_back(ValueText(m, f, i));
  }
  return absl::StrJoin(parts, ";");
}

void AddRows(const google::protobuf::Descriptor* type,
             const std::vector<const Message*>& items, Table& table) {
  std::vector<const FieldDescriptor*> columns;
  for (int i = 0; i < type->field_count(); ++i) {
    if (IsColumn(type->field(i))) {
      columns.push_back(type->field(i));
      table.header.push_back(type->field(i)->name());
    }
  }
  for (const Message* item : items) {
    std::vector<std::string>& row = table.rows.emplace_back();
    for (const FieldDescriptor* f : columns) row.push_back(Cell(*item, f));
  }
}

}  // namespace

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  if (name == "json") return Format::kJson;
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: `", name, "` is not json, table or csv"));
}

Table ToTable(const Message& message) {
  Table table;
  const auto* d = message.GetDescriptor();
  const auto* r = message.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated() && f->type() == FieldDescriptor::TYPE_MESSAGE) {
      std::vector<const Message*> items;
      for (int j = 0; j < r->FieldSize(message, f); ++j) {
        items.push_back(&r->GetRepeatedMessage(message, f, j));
      }
      AddRows(f->message_type(), items, table);
      return table;
    }
  }
  AddRows(d, {&message}, table);
  return table;
}

std::string CsvField(absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(value);
  }
  return absl::StrCat("\"", absl::StrReplaceAll(value, {{"\"", "\"\""}}), "\"");
}

void PrintCsvRow(const std::vector<std::string>& cells, std::ostream& out) {
  std::vector<std::string> quoted;
  for (const std::string& c : cells) quoted.push_back(CsvField(c));
  out << absl::StrJoin(quoted, ",") << "\r\n";
}

void PrintTable(const Table& table, Format format, std::ostream& out) {
  if (format == Format::kCsv) {
    PrintCsvRow(table.header, out);
    for (const auto& row : table.rows) PrintCsvRow(row, out);
    return;
  }
  auto cut = [](const std::string& s) {
    return s.size() <= kMaxCell ? s : s.substr(0, kMaxCell - 1) + "~";
  };
  // Width by characters, not bytes (names hold å, ä, ö).
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<size_t> widths(table.header.size(), 0);
  auto measure = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], width(cut(cells[i])));
    }
  };
  measure(table.header);
  for (const auto& row : table.rows) measure(row);
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      const std::string c = cut(cells[i]);
      text += c;
      if (i + 1 < cells.size())
        text += std::string(widths[i] - width(c) + 2, ' ');
    }
    out << text << "\n";
  };
  line(table.header);
  for (const auto& row : table.rows) line(row);
}

void PrintMessage(const Message& message, Format format, std::ostream& out) {
  if (format == Format::kJson) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(message, &json, options);
    out << json;
    return;
  }
  PrintTable(ToTable(message), format, out);
}

}  // namespace jobtrack::ctl
