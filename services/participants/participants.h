// Participants: domain rules for `participants/{participant}` — the
// personnummer kept only as a keyed hash, duplicate detection, look-up,
// and erasure that keeps the statistical record (DESIGN 6, 9.4).
#ifndef JOBTRACK_SERVICES_PARTICIPANTS_PARTICIPANTS_H_
#define JOBTRACK_SERVICES_PARTICIPANTS_PARTICIPANTS_H_

#include "jobtrack/v1/participant.pb.h"
#include "services/common/crud.h"

namespace jobtrack {

class Participants : public Crud<v1::Participant> {
 public:
  explicit Participants(Deps deps);

  // The participant with this personnummer. INVALID_ARGUMENT naming
  // `personnummer` if it is not valid; NOT_FOUND if nobody has it.
  absl::StatusOr<v1::Participant> Lookup(absl::string_view personnummer);

  // Removes the personal fields and the personnummer hash, keeps the
  // statistical fields, and records a tombstone event. Erasing an erased
  // participant changes nothing.
  absl::StatusOr<v1::Participant> Erase(
      const CallContext& context, const v1::EraseParticipantRequest& request);

 protected:
  void Validate(const v1::Participant& participant, bool creating,
                FieldViolations& violations) const override;
  absl::Status Prepare(storage::Transaction& txn, v1::Participant& participant,
                       const v1::Participant* old) const override;
  void OnWrite(storage::Transaction& txn, const CallContext& context,
               const v1::Participant* old,
               const v1::Participant& participant) const override;
  v1::Participant Present(v1::Participant participant) const override;

 private:
  std::string HashPersonnummer(absl::string_view canonical) const;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPANTS_PARTICIPANTS_H_
