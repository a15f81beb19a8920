// hooks/protocol/sent_text.hpp: what a caller sent, made safe to show again.
//
// A value a caller sent may be quoted back to someone: in an error's diagnostics (the caller, and
// whoever reads the client's logs) or by the audit CLI (the operator's terminal, from the log).
// Quoted as sent, it could be a megabyte long, carry ANSI escapes that move the cursor, recolour,
// retitle or clear a terminal, forge a line of its own, or be invalid UTF-8 (security review
// 2026-11, L1 and M2). Here, in hooks/protocol, because the server, the service and the CLI all
// quote such values and may all use this library.
#pragma once

#include <string>
#include <string_view>

namespace ivig::protocol {

/// `text` with every control character written as an escape instead: C0 as `\xNN` (newlines
/// included, so that a field cannot forge a line of its own), DEL, and the C1 range (U+0080–U+009F,
/// which some terminals obey like ESC) as `\u00NN`; a byte that is not part of valid UTF-8 as `\xNN`.
/// With `keep_lines`, newlines and tabs stay (the worksheet's layout).
std::string escape_controls(std::string_view text, bool keep_lines = false);

/// At most `max_characters` characters of a value a caller sent, for an error's diagnostics:
/// quoted in single quotes, cut with "…" when longer, `\`, `'` and `"` escaped with a backslash
/// and control characters and invalid UTF-8 as by escape_controls. `'abc'`, `'\x1b[2Jab…'`.
std::string quoted_excerpt(std::string_view sent, std::size_t max_characters = 64);

}  // namespace ivig::protocol
