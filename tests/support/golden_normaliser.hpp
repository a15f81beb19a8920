// tests/support/golden_normaliser.hpp: what a golden file must not pin, replaced by tokens.
//
// A golden file states clinical content. Three things in a response change without the content
// changing, and are replaced in every JSON string value (object member names are left alone)
// before a response is compared with, or written to, its golden file:
//
// - the knowledge version ("2026.11.1") → {{knowledgeVersion}}, so that a version bump rewrites
//   no golden file;
// - UUIDs (8-4-4-4-12 hex digits, any case) → {{uuid-1}}, {{uuid-2}}, … numbered in order of first
//   appearance in the document, so that "the same uuid twice" and "two different uuids" are still
//   told apart;
// - dates and instants, relative to the clock injected into the service:
//     "YYYY-MM-DD" → {{today}}, {{today-21d}}, {{today+300d}} (whole calendar days from the clock's
//     UTC date);
//     "YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)" → {{now}}, {{now-3d}}, {{now+1d2h30m}}, {{now-45.250s}}
//     (the exact difference from the clock as days, hours, minutes and seconds with milliseconds,
//     zero parts left out; a zone other than Z is kept after "@": {{now-3d@-05:00}}).
//   Partial dates ("2026-11") and anything that is not a real calendar date are left alone; a
//   dateTime without a zone, or with more than three decimals, gets the date token and keeps the
//   rest as text.
//
// A match must not touch a neighbouring digit (or hex digit for a UUID), so "12026-11-15" or an id
// ending in a UUID-like run of 13 hex digits is not replaced. Normalising is idempotent: tokens are
// never matched again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/model/fhir_time.hpp"

namespace ivig::test {

/// What the tokens are relative to.
struct golden_context {
  fhir::time_point now;           ///< the clock injected into the service
  std::string knowledge_version;  ///< the loaded bundle's version; empty = not replaced
};

/// Numbers UUIDs in order of first appearance (case-insensitively) across one document.
class uuid_numbering {
 public:
  std::string token_for(std::string_view uuid);

 private:
  std::vector<std::string> seen_;
};

/// `text` with every version, UUID, date and instant replaced by its token.
std::string normalise_text(std::string_view text, const golden_context& context, uuid_numbering& uuids);

/// Every string value in `document` normalised in place (member names unchanged), UUIDs numbered
/// in document order.
void normalise_golden(rapidjson::Document& document, const golden_context& context);

}  // namespace ivig::test
