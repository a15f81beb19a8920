// hooks/app/replay_command.hpp: `ivig-cds replay --knowledge DIR [--from T] [--to T]`: the effect of
// a knowledge change on the calls of a period, before the change goes live (docs/operations.md,
// "Knowledge rollout").
#pragma once

#include "hooks/app/options.hpp"

namespace ivig::app {

/// Runs every answered call of the audit log in [from, to) that kept its replay input through the
/// knowledge in `o.replay.knowledge_dir`, at the time it was received, and prints the cards that
/// would change (added, removed, indicator changed) per rule and per call. Exit code: 0 when no card
/// would change, 3 when some would, 1 when the knowledge or the audit log cannot be read.
int run_replay_command(const options& o);

}  // namespace ivig::app
