// fhir/model/markdown_text.hpp: text from the record made inert inside card Markdown.
//
// Card details are CommonMark (GitHub-flavoured), and record text (a Condition's text, a display, a
// note, a unit, an id) is whatever the EHR or whoever wrote the record typed. Put into a detail as
// it is, `[click](http://evil)`, `![x](…)`, `<img onerror=…>` or a line starting `# ` would become a
// link, an image, HTML or a heading on the clinician's screen (security review 2026-11, M1). Every
// record string goes through markdown_text where it enters card text; the service's own Markdown
// (bold, lists, tables, the [C]/[S]/[U] markers) never does. Here because every library that writes
// card text (rules/engine, hooks/service) may use fhir/model.
#pragma once

#include <string>
#include <string_view>

namespace ivig::fhir {

/// `record_text` as literal text inside a line of Markdown, escaped only where CommonMark would act
/// on it, so that a clinician still reads "IgA <7 mg/dL", "10% (Privigen)" or "Smith & Nephew" as
/// written:
/// - `&lt;` for a `<` that could open HTML or an autolink (before a letter, `/`, `!`, `?`, or last);
///   `&amp;` for an `&` that could start an entity (before a letter or `#`, or last);
/// - a backslash before `` ` ``, `*`, `|` (code spans, emphasis, table cells); before a `]` followed
///   by `(` or `[` (a link or an image needs one; "[Mass/volume]" alone is text, as the document
///   holds no link definition); before `\` when an escape could follow (punctuation, or last); before `_` unless it is
///   between two letters or digits (intraword `_` is no emphasis); before `!` followed by `[`; and before every `~`
///   when the text holds two (strikethrough);
/// - at the start, where the text may begin a line: a backslash before `[` when the text holds `]:`
///   (a link reference definition, which would turn the service's "[C]" markers into links; a UCUM
///   unit "[lb_av]" stays), before `#`, before `-`, `+` or `=`
///   followed by a space, the same character or nothing (list, thematic break, setext underline),
///   `&gt;` for `>` (block quote), and a backslash before the `.` or `)` of digits that would make an
///   ordered list ("1. x" becomes "1\. x"; "2.5 g" stays);
/// - line breaks, tabs and every other control character (C0, DEL, C1) become a space each, and
///   leading and trailing spaces go (FHIR strings should have none), so record text never starts a
///   block of its own or ends in a hard line break.
///
/// The caller's side of the bargain: the service's own text never follows record text directly with
/// `(`, `[` or `:` (a separator comes first: a space, a quote, a comma, a closing parenthesis). A `]`
/// ending record text is left as it is, because real displays and units end that way (RxNorm's
/// "… Injectable Suspension [Humulin]", ICD-10-CM's "… immunoglobulin A [IgA]", UCUM's "[lb_av]")
/// and a backslash there would show in every plain-text reader; right before `(` it would close a
/// link, right before `:` at a line's start it would define one.
std::string markdown_text(std::string_view record_text);

/// `record_text` for a plain-text field a clinician reads (a card's summary, a suggestion's label):
/// no escaping, but control characters (C0 with line breaks and tabs, DEL, C1) become a space each
/// and leading and trailing spaces go, so that it stays one line.
std::string plain_text_line(std::string_view record_text);

}  // namespace ivig::fhir
