// jobtrackctl: the command line for jobtrack.
//
//   jobtrackctl [--server=127.0.0.1:50051] list tracks --filter='municipality =
//   "0180"' jobtrackctl get tracks/abc123 jobtrackctl call
//   TrackService.CreateIntake '{"parent": "tracks/abc", ...}' jobtrackctl
//   methods
//
// Requests and responses are JSON with the .proto field names. Mutating
// calls (Create*, Update*, Delete*) get a fresh request_id unless the JSON
// carries one, so a retry of the same command line is not safe but a retry
// of the same JSON with its request_id is.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "clients/cpp/jobtrack_client.h"
#include "clients/ctl/csv_import.h"
#include "clients/ctl/output_format.h"
#include "clients/ctl/report_html.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "jobtrack/v1/admin.grpc.pb.h"
#include "jobtrack/v1/agreement.grpc.pb.h"
#include "jobtrack/v1/audit.grpc.pb.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/employer.grpc.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/matching.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "jobtrack/v1/participation_service.grpc.pb.h"
#include "jobtrack/v1/supplier.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"
#include "services/security/principal_registry.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "jobtrackd address");
ABSL_FLAG(int, timeout_seconds, 30, "deadline of each call");
ABSL_FLAG(std::string, filter, "",
          "list: filter, e.g. 'kind = EMPLOYER_DIRECTED'");
ABSL_FLAG(std::string, parent, "", "list intakes: the track, tracks/{id}");
ABSL_FLAG(int, page_size, 0, "list: page size (default 50)");
ABSL_FLAG(bool, all, false, "list: follow page tokens to the end");
ABSL_FLAG(std::string, format, "",
          "output: json, table or csv (report also: html); default json, "
          "but table for report and proposals, csv for export");
ABSL_FLAG(std::string, out, "", "report, export: write to this file");
ABSL_FLAG(std::string, as_of, "", "report, export, proposals: yyyy-mm-dd");
ABSL_FLAG(std::string, period, "", "report, export: periods/{yyyy-mm-dd}");
ABSL_FLAG(std::string, county, "", "report, export: scope to a county (län)");
ABSL_FLAG(std::string, track, "", "report, export: scope to tracks/{id}");
ABSL_FLAG(std::string, agreement, "",
          "report, export: scope to agreements/{id}");
ABSL_FLAG(std::vector<std::string>, scope_municipalities, {},
          "report, export: scope to these municipalities");
ABSL_FLAG(int, limit, 10, "proposals: how many");
ABSL_FLAG(bool, progress, true,
          "import: draw a progress bar on stderr when it is a terminal");
ABSL_FLAG(std::string, token_file, "",
          "file holding the bearer token (default: $JOBTRACK_TOKEN if set)");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA of the server certificate: connect with TLS");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM client certificate for mutual TLS (with --tls_key_file)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM key of the client certificate");
ABSL_FLAG(std::string, tls_server_name, "",
          "TLS: the name the server certificate must carry, if not the "
          "host of --server");
ABSL_FLAG(std::vector<std::string>, municipalities, {},
          "principal: municipality codes in scope (CASE_OFFICER, "
          "MUNICIPALITY_STAFF)");
ABSL_FLAG(std::string, supplier, "", "principal: suppliers/{id} (SUPPLIER)");
ABSL_FLAG(std::string, employer, "", "principal: employers/{id} (EMPLOYER)");
ABSL_FLAG(bool, may_export, false, "principal: REPORTER may export");
ABSL_FLAG(std::string, expire_time, "",
          "principal: RFC 3339 expiry, e.g. 2027-06-30T00:00:00Z");
ABSL_FLAG(std::string, certificate_identity, "",
          "principal: client certificate common name (mutual TLS)");

namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

constexpr char kPackage[] = "jobtrack.v1.";

namespace v1 = jobtrack::v1;
using jobtrack::ctl::Format;
using jobtrack::ctl::ParseFormat;
using jobtrack::ctl::PrintMessage;
using jobtrack::ctl::PrintTable;
using jobtrack::ctl::Table;
using jobtrack::ctl::ToTable;

struct Collection {
  const char* plural;
  const char* service;
  const char* singular;   // Message name, as in GetTrack.
  const char* list_name;  // As in ListTracks.
};

constexpr Collection kCollections[] = {
    {"employers", "EmployerService", "Employer", "Employers"},
    {"suppliers", "SupplierService", "Supplier", "Suppliers"},
    {"agreements", "AgreementService", "Agreement", "Agreements"},
    {"modules", "ModuleService", "Module", "Modules"},
    {"tracks", "TrackService", "Track", "Tracks"},
    {"intakes", "TrackService", "Intake", "Intakes"},
    {"participants", "ParticipantService", "Participant", "Participants"},
    {"participations", "ParticipationService", "Participation",
     "Participations"},
    // List only (no GetAuditEvent): `list auditEvents --filter='resource =
    // participants/…'`.
    {"auditEvents", "AuditService", "AuditEvent", "AuditEvents"},
};

const Collection* FindCollection(absl::string_view plural) {
  for (const Collection& c : kCollections) {
    if (plural == c.plural) return &c;
  }
  return nullptr;
}

// The collection of a resource name: the second-to-last segment.
const Collection* CollectionOfName(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() < 2 || parts.size() % 2 != 0) return nullptr;
  return FindCollection(parts[parts.size() - 2]);
}

void LinkServices() {
  // Referencing a message of each file links its descriptors into the pool.
  (void)jobtrack::v1::Employer::descriptor();
  (void)jobtrack::v1::Supplier::descriptor();
  (void)jobtrack::v1::Agreement::descriptor();
  (void)jobtrack::v1::Module::descriptor();
  (void)jobtrack::v1::Track::descriptor();
  (void)jobtrack::v1::Participant::descriptor();
  (void)jobtrack::v1::ProposeParticipationRequest::descriptor();
  (void)jobtrack::v1::ProposeTracksRequest::descriptor();
  (void)jobtrack::v1::WatchChangesRequest::descriptor();
  (void)jobtrack::v1::GetReportRequest::descriptor();
  (void)jobtrack::v1::ListAuditEventsRequest::descriptor();
  (void)jobtrack::v1::CreateBackupRequest::descriptor();
}

std::string NewUuid() {
  absl::BitGen gen;
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    int byte = absl::Uniform(gen, 0, 256);
    if (i == 6) byte = (byte & 0x0f) | 0x40;
    if (i == 8) byte = (byte & 0x3f) | 0x80;
    absl::StrAppend(&hex, absl::Hex(byte, absl::kZeroPad2));
    if (i == 3 || i == 5 || i == 7 || i == 9) hex += '-';
  }
  return hex;
}

void PrintError(const grpc::Status& status) {
  std::cerr << "error: "
            << absl::StatusCodeToString(
                   static_cast<absl::StatusCode>(status.error_code()))
            << ": " << status.error_message() << "\n";
  google::rpc::Status details;
  if (status.error_details().empty() ||
      !details.ParseFromString(status.error_details())) {
    return;
  }
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations()) {
        std::cerr << "  field " << v.field() << ": " << v.description() << "\n";
      }
    } else if (any.UnpackTo(&info)) {
      std::cerr << "  reason " << info.reason() << " (" << info.domain()
                << ")\n";
    }
  }
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << path << "\n";
    std::exit(2);
  }
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// The bearer token from --token_file or $JOBTRACK_TOKEN ("" if none).
std::string Token() {
  std::string token;
  if (const std::string file = absl::GetFlag(FLAGS_token_file); !file.empty()) {
    token = ReadFileOrDie(file);
  } else if (const char* env = std::getenv("JOBTRACK_TOKEN")) {
    token = env;
  }
  return std::string(absl::StripAsciiWhitespace(token));
}

// The connection as the flags say: plaintext, or TLS (with a client
// certificate for mutual TLS) when --tls_ca_file is given; a bearer token
// from --token_file or $JOBTRACK_TOKEN.
std::unique_ptr<jobtrack::client::Client> Connect(const std::string& server) {
  jobtrack::client::ClientOptions options;
  options.target = server;
  options.token = Token();
  options.deadline = absl::Seconds(absl::GetFlag(FLAGS_timeout_seconds));
  options.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  if (const std::string ca = absl::GetFlag(FLAGS_tls_ca_file); !ca.empty()) {
    options.tls_ca_pem = ReadFileOrDie(ca);
    if (const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
        !cert.empty()) {
      options.tls_cert_pem = ReadFileOrDie(cert);
      options.tls_key_pem = ReadFileOrDie(absl::GetFlag(FLAGS_tls_key_file));
    }
  }
  absl::StatusOr<std::unique_ptr<jobtrack::client::Client>> client =
      jobtrack::client::Client::Connect(std::move(options));
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    std::exit(2);
  }
  return *std::move(client);
}

class Client {
 public:
  explicit Client(const std::string& server)
      : connection_(Connect(server)), stub_(connection_->channel()) {}

  // Calls `method` with `request`; fills `response`. Prints errors.
  bool Call(const MethodDescriptor* method, const Message& request,
            Message* response) {
    std::unique_ptr<grpc::ClientContext> attempt = connection_->NewContext();
    grpc::ClientContext& context = *attempt;
    const std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    grpc::Status status;
    absl::Notification done;
    stub_.UnaryCall(
        &context,
        absl::StrCat("/", method->service()->full_name(), "/", method->name()),
        grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
          status = std::move(s);
          done.Notify();
        });
    done.WaitForNotification();
    if (!status.ok()) {
      PrintError(status);
      return false;
    }
    std::vector<grpc::Slice> slices;
    out.Dump(&slices).IgnoreError();
    std::string data;
    for (const auto& s : slices) {
      data.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (!response->ParseFromString(data)) {
      std::cerr << "error: unreadable response\n";
      return false;
    }
    return true;
  }

  // Calls the server-streaming `method` with `request` and hands each
  // message, parsed into a fresh `prototype` copy, to `on_message` until
  // the stream ends. No deadline: exports and change streams run long.
  // Prints errors.
  bool Stream(const MethodDescriptor* method, const Message& request,
              const Message& prototype,
              const std::function<bool(const Message&)>& on_message) {
    std::unique_ptr<grpc::ClientContext> stream =
        connection_->NewStreamContext();
    grpc::ClientContext& context = *stream;
    grpc::CompletionQueue cq;
    auto call = stub_.PrepareCall(
        &context,
        absl::StrCat("/", method->service()->full_name(), "/", method->name()),
        &cq);
    // Each step waits for its own tag; false once the call has failed.
    auto step = [&](intptr_t tag) {
      void* got = nullptr;
      bool ok = false;
      return cq.Next(&got, &ok) && reinterpret_cast<intptr_t>(got) == tag && ok;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    bool open = step(1);
    if (open) {
      const std::string bytes = request.SerializeAsString();
      grpc::Slice slice(bytes);
      grpc::ByteBuffer in(&slice, 1);
      call->WriteLast(in, grpc::WriteOptions(), reinterpret_cast<void*>(2));
      open = step(2);
    }
    bool printed = true;
    while (open && printed) {
      grpc::ByteBuffer out;
      call->Read(&out, reinterpret_cast<void*>(3));
      if (!step(3)) break;
      std::vector<grpc::Slice> slices;
      out.Dump(&slices).IgnoreError();
      std::string data;
      for (const auto& s : slices) {
        data.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      std::unique_ptr<Message> message(prototype.New());
      if (!message->ParseFromString(data)) {
        std::cerr << "error: unreadable message\n";
        context.TryCancel();
        printed = false;
        break;
      }
      printed = on_message(*message);
    }
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(4));
    step(4);
    cq.Shutdown();
    void* ignored_tag = nullptr;
    bool ignored_ok = false;
    while (cq.Next(&ignored_tag, &ignored_ok)) {
    }
    if (!status.ok()) {
      PrintError(status);
      return false;
    }
    return printed;
  }

  jobtrack::client::Client& connection() { return *connection_; }

 private:
  const std::unique_ptr<jobtrack::client::Client> connection_;
  grpc::GenericStub stub_;
};

const MethodDescriptor* FindMethod(absl::string_view service_dot_method) {
  std::string full(service_dot_method);
  if (!absl::StartsWith(full, kPackage)) full = absl::StrCat(kPackage, full);
  const size_t dot = full.rfind('.');
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          full.substr(0, dot));
  if (service == nullptr) return nullptr;
  return service->FindMethodByName(full.substr(dot + 1));
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* d) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(d)
          ->New());
}

bool PrintJsonLine(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    return false;
  }
  std::cout << json << "\n";
  return static_cast<bool>(std::cout);
}

// --format (`fallback` if not given), or exit 2.
Format OutputFormat(Format fallback = Format::kJson) {
  const std::string name = absl::GetFlag(FLAGS_format);
  if (name.empty()) return fallback;
  absl::StatusOr<Format> format = ParseFormat(name);
  if (!format.ok()) {
    std::cerr << "error: " << format.status().message() << "\n";
    std::exit(2);
  }
  return *format;
}

// Prints a response as --format says; 0.
int Print(const Message& message) {
  PrintMessage(message, OutputFormat(), std::cout);
  return 0;
}

int CallMethod(Client& client, const MethodDescriptor* method,
               const std::string& json) {
  std::unique_ptr<Message> request = NewMessage(method->input_type());
  if (!json.empty()) {
    auto status =
        google::protobuf::util::JsonStringToMessage(json, request.get());
    if (!status.ok()) {
      std::cerr << "error: request JSON: " << status.ToString() << "\n";
      return 2;
    }
  }
  const auto* request_id = method->input_type()->FindFieldByName("request_id");
  if (request_id != nullptr &&
      request->GetReflection()->GetString(*request, request_id).empty()) {
    request->GetReflection()->SetString(request.get(), request_id, NewUuid());
  }
  std::unique_ptr<Message> response = NewMessage(method->output_type());
  if (method->server_streaming()) {
    // One JSON object per line (JSON Lines), as the messages come.
    return client.Stream(method, *request, *response,
                         [](const Message& m) { return PrintJsonLine(m); })
               ? 0
               : 1;
  }
  if (!client.Call(method, *request, response.get())) return 1;
  return Print(*response);
}

int List(Client& client, const Collection& c) {
  const MethodDescriptor* method =
      FindMethod(absl::StrCat(c.service, ".List", c.list_name));
  std::unique_ptr<Message> request = NewMessage(method->input_type());
  const auto* reflection = request->GetReflection();
  const auto* d = method->input_type();
  reflection->SetString(request.get(), d->FindFieldByName("filter"),
                        absl::GetFlag(FLAGS_filter));
  reflection->SetInt32(request.get(), d->FindFieldByName("page_size"),
                       absl::GetFlag(FLAGS_page_size));
  if (const auto* parent = d->FindFieldByName("parent")) {
    if (absl::GetFlag(FLAGS_parent).empty()) {
      std::cerr << "error: list " << c.plural << " needs --parent\n";
      return 2;
    }
    reflection->SetString(request.get(), parent, absl::GetFlag(FLAGS_parent));
  }
  const Format format = OutputFormat();
  Table all;  // Tables and CSV: one header over every page.
  while (true) {
    std::unique_ptr<Message> response = NewMessage(method->output_type());
    if (!client.Call(method, *request, response.get())) return 1;
    if (format == Format::kJson) {
      PrintMessage(*response, format, std::cout);
    } else {
      Table page = ToTable(*response);
      if (all.header.empty()) all.header = page.header;
      for (auto& row : page.rows) all.rows.push_back(std::move(row));
    }
    const std::string next = response->GetReflection()->GetString(
        *response, method->output_type()->FindFieldByName("next_page_token"));
    if (!absl::GetFlag(FLAGS_all) || next.empty()) {
      if (format != Format::kJson) PrintTable(all, format, std::cout);
      return 0;
    }
    reflection->SetString(request.get(), d->FindFieldByName("page_token"),
                          next);
  }
}

int ByName(Client& client, const char* verb, const std::string& name) {
  const Collection* c = CollectionOfName(name);
  if (c == nullptr) {
    std::cerr << "error: " << name << " is not a jobtrack resource name\n";
    return 2;
  }
  const MethodDescriptor* method =
      FindMethod(absl::StrCat(c->service, ".", verb, c->singular));
  if (method == nullptr) {
    std::cerr << "error: " << c->plural << " cannot be " << verb
              << " by name; use `list " << c->plural << "`\n";
    return 2;
  }
  return CallMethod(client, method, absl::StrCat("{\"name\": \"", name, "\"}"));
}

// An error from the client library, with the fields a BadRequest names.
int Fail(const absl::Status& status) {
  grpc::Status as_grpc(static_cast<grpc::StatusCode>(status.code()),
                       std::string(status.message()));
  if (auto details = status.GetPayload(jobtrack::client::kDetailsPayloadUrl)) {
    as_grpc = grpc::Status(as_grpc.error_code(), as_grpc.error_message(),
                           std::string(*details));
  }
  PrintError(as_grpc);
  return 1;
}

// --as_of or --period, and at most one of the scope flags, into a report
// or export request.
template <typename Request>
bool FillWhenAndScope(Request& request) {
  const std::string as_of = absl::GetFlag(FLAGS_as_of);
  const std::string period = absl::GetFlag(FLAGS_period);
  if (as_of.empty() == period.empty()) {
    std::cerr << "error: give --as_of=yyyy-mm-dd or --period=periods/...\n";
    return false;
  }
  if (!period.empty()) {
    request.set_period(period);
  } else {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(as_of, &day)) {
      std::cerr << "error: --as_of is not a date (yyyy-mm-dd)\n";
      return false;
    }
    request.mutable_as_of()->set_year(static_cast<int32_t>(day.year()));
    request.mutable_as_of()->set_month(day.month());
    request.mutable_as_of()->set_day(day.day());
  }
  auto* scope = request.mutable_scope();
  scope->set_county_code(absl::GetFlag(FLAGS_county));
  scope->set_track(absl::GetFlag(FLAGS_track));
  scope->set_agreement(absl::GetFlag(FLAGS_agreement));
  for (const std::string& m : absl::GetFlag(FLAGS_scope_municipalities)) {
    scope->add_municipality_codes(m);
  }
  return true;
}

// Where --out says, or stdout.
int WriteOut(const std::string& text) {
  const std::string path = absl::GetFlag(FLAGS_out);
  if (path.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "error: cannot write " << path << "\n";
    return 1;
  }
  std::cerr << "wrote " << path << "\n";
  return 0;
}

int ReportCommand(Client& client) {
  v1::GetReportRequest request;
  if (!FillWhenAndScope(request)) return 2;
  absl::StatusOr<v1::Report> report =
      client.connection().Call(&v1::FollowUpService::Stub::GetReport, request);
  if (!report.ok()) return Fail(report.status());
  if (absl::GetFlag(FLAGS_format) == "html") {
    return WriteOut(jobtrack::ctl::ReportHtml(*report));
  }
  const Format format = OutputFormat(Format::kTable);
  std::ostringstream out;
  if (format == Format::kJson) {
    PrintMessage(*report, format, out);
    return WriteOut(out.str());
  }
  Table table;
  table.header = {"figure", "numerator", "denominator", "value"};
  for (const v1::Figure& f : report->figures()) {
    table.rows.push_back({f.id(),
                          f.suppressed() ? "" : absl::StrCat(f.numerator()),
                          f.suppressed() ? "" : absl::StrCat(f.denominator()),
                          jobtrack::ctl::FigureValue(f)});
  }
  PrintTable(table, format, out);
  return WriteOut(out.str());
}

// `proposals participants/ID`: ranked tracks with each factor's share of
// the score.
int ProposalsCommand(Client& client, const std::string& participant) {
  v1::ProposeTracksRequest request;
  request.set_participant(participant);
  request.set_limit(absl::GetFlag(FLAGS_limit));
  if (const std::string as_of = absl::GetFlag(FLAGS_as_of); !as_of.empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(as_of, &day)) {
      std::cerr << "error: --as_of is not a date (yyyy-mm-dd)\n";
      return 2;
    }
    request.mutable_as_of()->set_year(static_cast<int32_t>(day.year()));
    request.mutable_as_of()->set_month(day.month());
    request.mutable_as_of()->set_day(day.day());
  }
  absl::StatusOr<v1::ProposeTracksResponse> response = client.connection().Call(
      &v1::MatchingService::Stub::ProposeTracks, request);
  if (!response.ok()) return Fail(response.status());
  const Format format = OutputFormat(Format::kTable);
  if (format == Format::kJson) return Print(*response);
  Table table;
  table.header = {"rank", "track", "intake", "score"};
  for (const auto& f :
       response->proposals().empty()
           ? google::protobuf::RepeatedPtrField<v1::FactorContribution>()
           : response->proposals(0).factors()) {
    table.header.push_back(f.factor());
  }
  int rank = 0;
  for (const v1::Proposal& p : response->proposals()) {
    std::vector<std::string> row = {absl::StrCat(++rank), p.track(), p.intake(),
                                    absl::StrFormat("%.2f", p.score())};
    for (const auto& f : p.factors()) {
      row.push_back(absl::StrFormat("%.2f", f.contribution()));
    }
    table.rows.push_back(std::move(row));
  }
  PrintTable(table, format, std::cout);
  return 0;
}

// `export`: the rows of ExportParticipations, as CSV (default) or JSON
// Lines.
int ExportCommand(Client& client) {
  v1::ExportParticipationsRequest request;
  if (!FillWhenAndScope(request)) return 2;
  // CSV unless JSON (Lines) is asked for.
  const bool json = OutputFormat(Format::kCsv) == Format::kJson;
  std::unique_ptr<grpc::ClientContext> context =
      client.connection().NewStreamContext();
  auto stub = v1::FollowUpService::NewStub(client.connection().channel());
  auto reader = stub->ExportParticipations(context.get(), request);
  std::ostringstream out;
  v1::ParticipationRow row;
  bool first = true;
  while (reader->Read(&row)) {
    if (json) {
      PrintMessage(row, Format::kJson, out);
      out << "\n";
      continue;
    }
    const Table table = ToTable(row);
    if (first) jobtrack::ctl::PrintCsvRow(table.header, out);
    first = false;
    jobtrack::ctl::PrintCsvRow(table.rows[0], out);
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) {
    PrintError(status);
    return 1;
  }
  return WriteOut(out.str());
}

int ImportCommand(Client& client, const std::string& kind,
                  const std::string& path) {
  const bool bar = absl::GetFlag(FLAGS_progress) && isatty(STDERR_FILENO);
  return jobtrack::ctl::ImportCsv(client.connection(), kind, path, std::cout,
                                  bar ? &std::cerr : nullptr);
}

// Help for one command (`jobtrackctl help COMMAND`, `COMMAND --help`).
const std::map<std::string, std::string>& CommandHelp() {
  static const auto* help = new std::map<std::string, std::string>{
      {"list",
       "jobtrackctl list COLLECTION [--filter=EXPR] [--parent=tracks/ID] "
       "[--all] [--page_size=N] [--format=json|table|csv]\n"
       "  COLLECTION: employers suppliers agreements modules tracks intakes\n"
       "  participants participations auditEvents. Filters are `field = "
       "value`\n  joined by AND, e.g. --filter='municipality = \"0180\" AND "
       "kind = EMPLOYER_DIRECTED'.\n  With --all, every page (one table).\n"},
      {"get",
       "jobtrackctl get NAME [--format=json|table|csv]\n"
       "  e.g. get tracks/abc123, get tracks/abc/intakes/def\n"},
      {"delete", "jobtrackctl delete NAME\n"},
      {"call",
       "jobtrackctl call SERVICE.METHOD [JSON] [--format=json|table|csv]\n"
       "  Any method (see `jobtrackctl methods`) with its request as JSON;\n"
       "  a create without request_id gets a fresh one. Server-streaming\n"
       "  methods print JSON Lines.\n"},
      {"methods", "jobtrackctl methods\n  Every service method.\n"},
      {"proposals",
       "jobtrackctl proposals participants/ID [--limit=10] [--as_of=DATE] "
       "[--format=table|csv|json]\n"
       "  Tracks proposed for a jobseeker, ranked, with each factor's\n"
       "  contribution to the score (occupation, industry, geography, start,\n"
       "  plan_length, demand, outcome, next_track).\n"},
      {"report",
       "jobtrackctl report (--as_of=DATE | --period=periods/DATE)\n"
       "    [--county=NN | --scope_municipalities=0180,0184 | --track=tracks/ID"
       " |\n     --agreement=agreements/ID] [--format=table|csv|json|html] "
       "[--out=FILE]\n"
       "  The follow-up figures. --format=html writes one self-contained page\n"
       "  with charts (open it in a browser, no server needed).\n"},
      {"export",
       "jobtrackctl export (--as_of=DATE | --period=periods/DATE) [scope "
       "flags]\n    [--format=csv|json] [--out=FILE]\n"
       "  One row per participation, pseudonymous ids only (needs ADMIN or a\n"
       "  REPORTER with may_export).\n"},
      {"import",
       absl::StrCat(
           "jobtrackctl import employers|participants|tracks FILE.csv "
           "[--progress=false]\n"
           "  Creates one resource per row, goes on past bad rows, and ends\n"
           "  with a summary naming each rejected row by line and reason "
           "(exit 1\n  if any). Re-running a file creates nothing twice.\n",
           jobtrack::ctl::kImportColumnsHelp, "\n")},
      {"principal",
       "jobtrackctl principal ID ROLE [--municipalities=0180,0184] "
       "[--supplier=..]\n    [--employer=..] [--may_export] "
       "[--expire_time=..] [--certificate_identity=CN]\n"
       "  Prints a principals-file entry (stdout) and its new token "
       "(stderr).\n"},
  };
  return *help;
}

// `principal ID ROLE`: a new token (to stderr, shown once) and the
// principals-file entry with its hash (to stdout), checked as the server
// would check it.
int NewPrincipal(const std::string& id, const std::string& role_name) {
  jobtrack::security::Role role;
  if (!jobtrack::security::Role_Parse(role_name, &role)) {
    std::cerr << "error: role must be one of ADMIN CASE_OFFICER "
                 "MUNICIPALITY_STAFF SUPPLIER EMPLOYER REPORTER\n";
    return 2;
  }
  absl::StatusOr<std::string> token = jobtrack::PrincipalRegistry::NewToken();
  if (!token.ok()) {
    std::cerr << "error: " << token.status().message() << "\n";
    return 1;
  }
  jobtrack::security::PrincipalsFile file;
  jobtrack::security::PrincipalEntry& entry = *file.add_principals();
  entry.set_id(id);
  entry.set_role(role);
  for (const std::string& m : absl::GetFlag(FLAGS_municipalities)) {
    entry.add_municipality_codes(m);
  }
  entry.set_supplier(absl::GetFlag(FLAGS_supplier));
  entry.set_employer(absl::GetFlag(FLAGS_employer));
  entry.set_may_export(absl::GetFlag(FLAGS_may_export));
  entry.set_expire_time(absl::GetFlag(FLAGS_expire_time));
  entry.set_certificate_identity(absl::GetFlag(FLAGS_certificate_identity));
  entry.set_token_sha256(jobtrack::PrincipalRegistry::HashToken(*token));
  std::string text;
  google::protobuf::TextFormat::PrintToString(file, &text);
  if (absl::Status s = jobtrack::PrincipalRegistry::Parse(text).status();
      !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  std::cout << text;
  std::cerr << *token << "\n";
  return 0;
}

constexpr char kUsage[] = R"(jobtrackctl: command line for the jobtrack service.

  jobtrackctl [flags] methods
      every service method
  jobtrackctl [flags] list COLLECTION [--filter=EXPR] [--parent=tracks/ID] [--all]
      COLLECTION: employers suppliers agreements modules tracks intakes
              participants participations auditEvents (ADMIN)
  jobtrackctl [flags] get NAME          e.g. get tracks/abc123
  jobtrackctl [flags] delete NAME
  jobtrackctl [flags] proposals participants/ID   tracks with score breakdown
  jobtrackctl [flags] report --as_of=DATE [--format=table|csv|json|html]
  jobtrackctl [flags] export --as_of=DATE [--format=csv|json] [--out=FILE]
  jobtrackctl [flags] import employers|participants|tracks FILE.csv
  jobtrackctl [flags] call SERVICE.METHOD [JSON]
      e.g. call EmployerService.CreateEmployer '{"employer": {...}}'
      (server-streaming methods print JSON Lines)
  jobtrackctl principal ID ROLE [--municipalities=0180,0184] [--supplier=..]
              [--employer=..] [--may_export] [--expire_time=..]
      prints a principals-file entry (stdout) and its new token (stderr):
        jobtrackctl principal anna CASE_OFFICER --municipalities=0180 \
          >> principals.txtpb 2> anna.token

`jobtrackctl help COMMAND` (or COMMAND --help) explains a command.
Output: --format=json (default), table or csv.

Calls carry the token of --token_file (or $JOBTRACK_TOKEN); --tls_ca_file
connects with TLS, --tls_cert_file/--tls_key_file add a client certificate.

Filters are `field = value` joined by AND, e.g.
  --filter='municipality = "0180" AND kind = EMPLOYER_DIRECTED'
Flags: --server=HOST:PORT (default 127.0.0.1:50051), --timeout_seconds=N)";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  // `COMMAND --help`: that command's help, before the flags are parsed.
  const char* first_word = nullptr;
  bool asks_help = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    asks_help |= arg == "--help" || arg == "-h";
    if (first_word == nullptr && !arg.empty() && arg[0] != '-') {
      first_word = argv[i];
    }
  }
  if (asks_help && first_word != nullptr) {
    auto it = CommandHelp().find(first_word);
    if (it != CommandHelp().end()) {
      std::cout << it->second;
      return 0;
    }
  }
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  LinkServices();
  if (args.size() == 3 && std::string(args[1]) == "help") {
    auto it = CommandHelp().find(args[2]);
    if (it == CommandHelp().end()) {
      std::cerr << "error: no command " << args[2] << "\n" << kUsage << "\n";
      return 2;
    }
    std::cout << it->second;
    return 0;
  }
  if (args.size() < 2 || std::string(args[1]) == "help") {
    std::cout << kUsage << "\n";
    return args.size() < 2 ? 2 : 0;
  }
  const std::string command = args[1];
  if (command == "principal" && args.size() == 4) {
    return NewPrincipal(args[2], args[3]);
  }
  Client client(absl::GetFlag(FLAGS_server));
  if (command == "methods") {
    for (const char* service :
         {"EmployerService", "SupplierService", "AgreementService",
          "ModuleService", "TrackService", "ParticipantService",
          "ParticipationService", "MatchingService", "ChangeService",
          "FollowUpService", "AuditService", "AdminService"}) {
      const auto* descriptor =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              absl::StrCat(kPackage, service));
      if (descriptor == nullptr) continue;
      for (int i = 0; i < descriptor->method_count(); ++i) {
        std::cout << service << "." << descriptor->method(i)->name()
                  << (descriptor->method(i)->server_streaming()
                          ? " (stream: JSON Lines)"
                          : "")
                  << "\n";
      }
    }
    return 0;
  }
  if (command == "list" && args.size() == 3) {
    const Collection* c = FindCollection(args[2]);
    if (c == nullptr) {
      std::cerr << "error: unknown collection " << args[2] << "\n";
      return 2;
    }
    return List(client, *c);
  }
  if ((command == "get" || command == "delete") && args.size() == 3) {
    return ByName(client, command == "get" ? "Get" : "Delete", args[2]);
  }
  if (command == "report" && args.size() == 2) return ReportCommand(client);
  if (command == "export" && args.size() == 2) return ExportCommand(client);
  if (command == "proposals" && args.size() == 3) {
    return ProposalsCommand(client, args[2]);
  }
  if (command == "import" && args.size() == 4) {
    return ImportCommand(client, args[2], args[3]);
  }
  if (command == "call" && (args.size() == 3 || args.size() == 4)) {
    const MethodDescriptor* method = FindMethod(args[2]);
    if (method == nullptr) {
      std::cerr << "error: no method " << args[2]
                << " (see `jobtrackctl methods`)\n";
      return 2;
    }
    return CallMethod(client, method, args.size() == 4 ? args[3] : "");
  }
  std::cerr << kUsage << "\n";
  return 2;
}
