#include "services/tracks/chain.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "jobtrack/v1/module.pb.h"
#include "services/common/crud.h"
#include "services/common/record_table.h"
#include "services/common/validation.h"
#include "services/modules/modules.h"

namespace jobtrack {

void CheckChainShape(const v1::ModuleChain& chain, const std::string& prefix,
                     FieldViolations& violations) {
  const std::string stages = absl::StrCat(prefix, ".stages");
  if (chain.stages_size() == 0) {
    violations.Add(stages, "a chain needs at least one stage");
    return;
  }
  if (chain.stages_size() > kMaxStages) {
    violations.Add(stages, absl::StrCat("at most ", kMaxStages, " stages"));
    return;
  }
  for (int i = 0; i < chain.stages_size(); ++i) {
    const v1::ChainStage& stage = chain.stages(i);
    const std::string steps = absl::StrCat(stages, "[", i, "].steps");
    if (stage.steps_size() == 0 || stage.steps_size() > kMaxStepsPerStage) {
      violations.Add(
          steps, absl::StrCat("a stage needs 1–", kMaxStepsPerStage, " steps"));
      continue;
    }
    for (int j = 0; j < stage.steps_size(); ++j) {
      const v1::ChainStep& step = stage.steps(j);
      const std::string path = absl::StrCat(steps, "[", j, "]");
      switch (step.source_case()) {
        case v1::ChainStep::kModule:
          if (absl::Status s =
                  CheckResourceName(step.module(), "modules", path + ".module");
              !s.ok()) {
            violations.Add(path + ".module", "must be `modules/{id}`");
          }
          break;
        case v1::ChainStep::kLocalModule: {
          const v1::LocalModule& local = step.local_module();
          CheckRequiredText(local.display_name(), 200,
                            path + ".local_module.display_name", violations);
          CheckModuleShape(local.education_form(), local.length_weeks(),
                           local.hours_per_week(), path + ".local_module.",
                           violations);
          break;
        }
        case v1::ChainStep::SOURCE_NOT_SET:
          violations.Add(path, "needs a module or a local_module");
          break;
      }
    }
  }
}

absl::StatusOr<v1::ModuleChain> ResolveChain(storage::Transaction& txn,
                                             const v1::ModuleChain& input,
                                             const std::string& prefix,
                                             FieldViolations& violations) {
  const RecordTable<v1::Module> modules(nullptr);
  v1::ModuleChain chain;
  int next_id = 1;
  for (int i = 0; i < input.stages_size(); ++i) {
    v1::ChainStage* stage = chain.add_stages();
    for (int j = 0; j < input.stages(i).steps_size(); ++j) {
      const v1::ChainStep& in = input.stages(i).steps(j);
      v1::ChainStep* step = stage->add_steps();
      step->set_step_id(absl::StrCat(next_id++));
      if (in.source_case() == v1::ChainStep::kModule) {
        step->set_module(in.module());
        absl::StatusOr<v1::Module> module =
            modules.GetForUpdate(txn, in.module());
        if (absl::IsNotFound(module.status())) {
          violations.Add(
              absl::StrCat(prefix, ".stages[", i, "].steps[", j, "].module"),
              absl::StrCat(in.module(), " does not exist"));
          continue;
        }
        if (!module.ok()) return module.status();
        step->set_display_name(module->display_name());
        step->set_education_form(module->education_form());
        step->set_length_weeks(module->length_weeks());
        step->set_hours_per_week(module->hours_per_week());
      } else {
        const v1::LocalModule& local = in.local_module();
        *step->mutable_local_module() = local;
        step->set_display_name(local.display_name());
        step->set_education_form(local.education_form());
        step->set_length_weeks(local.length_weeks());
        step->set_hours_per_week(local.hours_per_week());
      }
    }
  }
  chain.set_length_weeks(ChainLengthWeeks(chain));
  if (chain.length_weeks() > kMaxChainWeeks) {
    violations.Add(prefix,
                   absl::StrCat("the chain takes ", chain.length_weeks(),
                                " weeks; at most ", kMaxChainWeeks));
  }
  return chain;
}

int ChainLengthWeeks(const v1::ModuleChain& chain) {
  int weeks = 0;
  for (const v1::ChainStage& stage : chain.stages()) {
    int longest = 0;
    for (const v1::ChainStep& step : stage.steps()) {
      longest = std::max(longest, step.length_weeks());
    }
    weeks += longest;
  }
  return weeks;
}

bool SameSteps(const v1::ModuleChain& a, const v1::ModuleChain& b) {
  if (a.stages_size() != b.stages_size()) return false;
  for (int i = 0; i < a.stages_size(); ++i) {
    if (a.stages(i).steps_size() != b.stages(i).steps_size()) return false;
    for (int j = 0; j < a.stages(i).steps_size(); ++j) {
      const v1::ChainStep& x = a.stages(i).steps(j);
      const v1::ChainStep& y = b.stages(i).steps(j);
      if (x.source_case() != y.source_case()) return false;
      if (x.source_case() == v1::ChainStep::kModule) {
        if (x.module() != y.module()) return false;
      } else if (!google::protobuf::util::MessageDifferencer::Equals(
                     x.local_module(), y.local_module())) {
        return false;
      }
    }
  }
  return true;
}

const v1::ModuleChain* ChainVersion(const v1::Track& track, int version) {
  if (track.chain().version() == version) return &track.chain();
  for (const v1::ModuleChain& past : track.past_chains()) {
    if (past.version() == version) return &past;
  }
  return nullptr;
}

}  // namespace jobtrack
