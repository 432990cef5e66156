// Small-cell suppression of a follow-up report (DESIGN 5, 9.5).
//
// Primary: a figure about persons (unit PERSONS or PARTICIPATIONS) whose
// numerator or denominator counts 1–4 is withheld; 0 may be shown.
// Secondary: within each additive group of the report (a total and the
// parts that sum to it, e.g. active participants = women + men +
// unspecified, or the outcome classes sharing one denominator), a single
// withheld part could be derived by subtraction; then the smallest other
// non-zero part is withheld too, or the total when no such part exists.
// Repeated until nothing changes, since one group's new suppression can
// expose another's.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_SUPPRESSION_H_
#define JOBTRACK_SERVICES_FOLLOWUP_SUPPRESSION_H_

#include <optional>
#include <string>
#include <vector>

#include "jobtrack/v1/followup.pb.h"

namespace jobtrack {

// One value of a figure: its numerator or its denominator.
struct Cell {
  std::string id;
  bool denominator = false;
};

// A total and the parts that sum to it. Without a total, the parts share
// their denominator, which is the total.
struct AdditiveGroup {
  std::optional<Cell> total;
  std::vector<Cell> parts;
};

// The additive groups among `figures`, found by their ids (see the
// README's figure catalogue).
std::vector<AdditiveGroup> AdditiveGroups(
    const std::vector<v1::Figure>& figures);

// Withholds small cells in place: suppressed figures keep their id and
// unit, with numerator and denominator 0 and `suppressed` set.
void SuppressSmallCells(std::vector<v1::Figure>& figures);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_SUPPRESSION_H_
