#include "services/server/schema_migrations.h"

#include <functional>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "services/common/log.h"
#include "services/participations/participations.h"
#include "services/participations/seats.h"

namespace jobtrack {
namespace {

// `migration` that says in the log when it starts and how long it took: at
// national scale a migration holds up the start for minutes.
storage::Migration Logged(int to_version, std::string description,
                          std::function<absl::Status(storage::Storage&)> run) {
  return {.to_version = to_version,
          .description = description,
          .run = [to_version, description,
                  run = std::move(run)](storage::Storage& storage) {
            LogInfo("migrating the data to schema version ", to_version, " (",
                    description, ")");
            const absl::Time start = absl::Now();
            absl::Status s = run(storage);
            if (s.ok()) {
              LogInfo("migrated to schema version ", to_version, " in ",
                      absl::FormatDuration(absl::Now() - start));
            }
            return s;
          }};
}

}  // namespace

std::vector<storage::Migration> SchemaMigrations() {
  return {
      Logged(2, "participations carry latest_event_date",
             StampLatestEventDates),
      Logged(3, "intakes' seats are kept in a ledger", EnterSeatsInLedger),
  };
}

}  // namespace jobtrack
