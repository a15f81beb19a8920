// rules/engine/hook_stage.hpp: where in the ordering workflow a call comes from (shared by the order
// facts, which gather the worksheet's data only at signing, and the rules).
#pragma once

namespace ivig::rules {

/// On order-select the order may still be incomplete (no dose yet); on order-sign it is final.
enum class hook_stage { select, sign };

}  // namespace ivig::rules
