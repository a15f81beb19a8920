// hooks/app/terminal_text.hpp: text from the audit log made safe to print on an operator's terminal.
#pragma once

#include <string>
#include <string_view>

namespace ivig::app {

/// `text` with every control character written as an escape instead: C0 (newlines included, so
/// that a field cannot forge a line of its own), DEL and the C1 range (U+0080–U+009F, which some
/// terminals obey like ESC). What a caller sent (a feedback comment, a rejected path) reaches the
/// CLI's output this way and cannot move the cursor, recolour, retitle or clear the terminal
/// (security review 2026-11). With `keep_lines`, newlines and tabs stay (the worksheet's layout).
std::string terminal_safe(std::string_view text, bool keep_lines = false);

}  // namespace ivig::app
