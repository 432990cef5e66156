#include "services/admin/consistency_check.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/agreements/agreements.h"
#include "services/common/events.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/lifecycle.h"
#include "services/participations/participations.h"
#include "services/participations/seats.h"
#include "services/suppliers/suppliers.h"
#include "services/tracks/tracks.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

// Problems beyond this many are counted, not listed.
constexpr size_t kMaxListed = 100;

class Checker {
 public:
  Checker(Deps deps, storage::Reader& reader) : deps_(deps), reader_(reader) {}

  absl::StatusOr<ConsistencyReport> Run() {
    if (absl::Status s = CheckTables(); !s.ok()) return s;
    if (absl::Status s = CheckParticipations(); !s.ok()) return s;
    if (absl::Status s = CheckSeats(); !s.ok()) return s;
    if (absl::Status s = CheckEventLog(); !s.ok()) return s;
    if (report_.problems.size() > kMaxListed) {
      const size_t more = report_.problems.size() - kMaxListed;
      report_.problems.resize(kMaxListed);
      report_.problems.push_back(absl::StrCat("… and ", more, " more"));
    }
    return std::move(report_);
  }

 private:
  template <typename T>
  absl::Status CheckTable(const RecordTable<T>& table,
                          absl::string_view collection) {
    absl::StatusOr<int64_t> n =
        table.CheckTerms(reader_, collection, &report_.problems);
    if (!n.ok()) return n.status();
    report_.records += *n;
    return absl::OkStatus();
  }

  absl::Status CheckTables() {
    const Tracks tracks(deps_);
    const Employers employers(deps_);
    const Participants participants(deps_);
    const Suppliers suppliers(deps_);
    const Agreements agreements(deps_);
    const Modules modules(deps_);
    const Participations participations(deps_);
    for (absl::Status s :
         {CheckTable(tracks.table(), "tracks"),
          CheckTable(employers.table(), "employers"),
          CheckTable(participants.table(), "participants"),
          CheckTable(suppliers.table(), "suppliers"),
          CheckTable(agreements.table(), "agreements"),
          CheckTable(modules.table(), "modules"),
          CheckTable(participations.table(), "participations")}) {
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The stored state is the replay of the events, apart from the times and
  // the etag that the write stamps on it.
  absl::Status CheckParticipations() {
    absl::StatusOr<std::vector<v1::Participation>> all =
        RecordTable<v1::Participation>(nullptr).All(reader_, "participations");
    if (!all.ok()) return all.status();
    for (v1::Participation& stored : *all) {
      ++report_.participations;
      absl::StatusOr<std::vector<v1::Event>> events =
          LoadAggregateEvents(reader_, stored.name());
      if (!events.ok()) return events.status();
      if (events->empty()) {
        report_.problems.push_back(
            absl::StrCat(stored.name(), " has no events"));
        continue;
      }
      absl::StatusOr<v1::Participation> replayed =
          Replay(stored.name(), *std::move(events));
      if (!replayed.ok()) {
        report_.problems.push_back(absl::StrCat(
            stored.name(),
            ": its events do not replay: ", replayed.status().message()));
        continue;
      }
      *replayed->mutable_create_time() = stored.create_time();
      *replayed->mutable_update_time() = stored.update_time();
      replayed->set_etag(stored.etag());
      std::string difference;
      google::protobuf::util::MessageDifferencer differencer;
      differencer.ReportDifferencesToString(&difference);
      if (!differencer.Compare(*replayed, stored)) {
        report_.problems.push_back(
            absl::StrCat(stored.name(),
                         ": the stored state differs from the replay of its "
                         "events: ",
                         difference));
      }
      if (SeatOf(stored).has_value() && !stored.intake().empty()) {
        seated_[stored.intake()].push_back(std::move(stored));
      }
    }
    return absl::OkStatus();
  }

  // The seat ledger holds the seats the participations hold, no more and
  // no fewer; and no intake holds more participants than its seats on any
  // day. The seats counted are the participations' own, so that a wrong
  // ledger is reported as that and not as an intake over its seats.
  absl::Status CheckSeats() {
    absl::StatusOr<SeatLedger> ledger = ReadSeatLedger(reader_);
    if (!ledger.ok()) return ledger.status();
    const RecordTable<v1::Intake> intakes(nullptr);
    for (const auto& [intake_name, holders] : seated_) {
      ++report_.intakes;
      std::vector<SeatInterval> seats;
      for (const v1::Participation& holder : holders) {
        seats.push_back(*SeatOf(holder));
        std::optional<SeatInterval> listed;
        if (auto entries = ledger->find(intake_name);
            entries != ledger->end()) {
          if (auto entry = entries->second.find(holder.name());
              entry != entries->second.end()) {
            listed = entry->second;
            entries->second.erase(entry);
          }
        }
        if (!listed) {
          report_.problems.push_back(
              absl::StrCat(holder.name(), " holds a seat in ", intake_name,
                           " that the seat ledger lacks"));
        } else if (*listed != seats.back()) {
          report_.problems.push_back(absl::StrCat(
              "the seat ledger has other days for ", holder.name(),
              "'s seat in ", intake_name, " than the participation"));
        }
      }
      absl::StatusOr<v1::Intake> intake = intakes.Get(reader_, intake_name);
      if (!intake.ok()) {
        report_.problems.push_back(absl::StrCat(
            holders.front().name(), " holds a seat in ", intake_name,
            ", which cannot be read: ", intake.status().message()));
        continue;
      }
      // The busiest day from the first start on. (Asking, for each
      // holder, whether one more from their start would fit counted days
      // after a finished holder had left against them.)
      const absl::CivilDay first =
          std::min_element(seats.begin(), seats.end(),
                           [](const SeatInterval& a, const SeatInterval& b) {
                             return a.start_day() < b.start_day();
                           })
              ->start();
      const SeatPeak peak = PeakFrom(*intake, seats, first);
      if (peak.taken > intake->seats()) {
        report_.problems.push_back(
            absl::StrCat(intake_name, " holds ", peak.taken, " participants",
                         intake->start_type() == v1::Intake::ROLLING
                             ? absl::StrCat(" on ", FormatDate(peak.day))
                             : std::string(),
                         " but has ", intake->seats(), " seats"));
      }
    }
    // What is left in the ledger belongs to no participation's seat.
    for (const auto& [intake_name, entries] : *ledger) {
      for (const auto& entry : entries) {
        report_.problems.push_back(
            absl::StrCat("the seat ledger has a seat in ", intake_name, " for ",
                         entry.first, ", which holds none there"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckEventLog() {
    absl::flat_hash_set<uint64_t> logged;
    uint64_t last = 0;
    absl::Status s = ScanEvents(reader_, 0, [&](v1::Event event) {
      ++report_.events;
      const uint64_t sequence = static_cast<uint64_t>(event.sequence());
      if (sequence <= last) {
        report_.problems.push_back(
            absl::StrCat("event ", sequence, " after event ", last));
      }
      last = sequence;
      logged.insert(sequence);
      if (event.resource().empty()) {
        report_.problems.push_back(
            absl::StrCat("event ", sequence, " names no resource"));
      } else {
        absl::StatusOr<std::optional<std::string>> indexed =
            reader_.Get(storage::Column::kIndex,
                        storage::AggregateEventKey(event.resource(), sequence));
        if (!indexed.ok()) {
          inner_ = indexed.status();
          return false;
        }
        if (!indexed->has_value()) {
          report_.problems.push_back(absl::StrCat(
              "event ", sequence, " is not indexed under ", event.resource()));
        }
      }
      return true;
    });
    if (!s.ok()) return s;
    if (!inner_.ok()) return inner_;
    size_t indexed = 0;
    s = reader_.Scan(
        storage::Column::kIndex, absl::string_view("events\0", 7), "",
        [&](absl::string_view key, absl::string_view) {
          if (key.size() < 8) return true;
          const uint64_t sequence =
              storage::EventKeySequence(key.substr(key.size() - 8));
          ++indexed;
          if (!logged.contains(sequence)) {
            report_.problems.push_back(absl::StrCat(
                "index entry ", absl::CHexEscape(key), " points at event ",
                sequence, ", which is not in the log"));
          }
          return true;
        });
    if (!s.ok()) return s;
    if (indexed < logged.size()) {
      report_.problems.push_back(
          absl::StrCat(logged.size() - indexed, " events have no index entry"));
    }
    return absl::OkStatus();
  }

  Deps deps_;
  storage::Reader& reader_;
  ConsistencyReport report_;
  absl::Status inner_;
  // Participations that hold a seat, by intake.
  std::map<std::string, std::vector<v1::Participation>> seated_;
};

}  // namespace

absl::StatusOr<ConsistencyReport> CheckConsistency(Deps deps) {
  std::unique_ptr<storage::Reader> reader = deps.storage->Snapshot();
  return Checker(deps, *reader).Run();
}

}  // namespace jobtrack
