#include "services/server/schema_migrations.h"

#include "services/participations/participations.h"

namespace jobtrack {

std::vector<storage::Migration> SchemaMigrations() {
  return {
      {.to_version = 2,
       .description = "participations carry latest_event_date",
       .run = StampLatestEventDates},
  };
}

}  // namespace jobtrack
