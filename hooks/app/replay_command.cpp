// hooks/app/replay_command.cpp: `ivig-cds replay`. Reads the audit log's answered calls one at a time,
// runs each kept replay input through the service on the knowledge to try (no fetching, no audit, the
// call's own received time as "now"), and compares the cards with the ones the call showed. A card is
// known by the rules behind it; its indicator is what a clinician sees first, so that is what is
// compared. Formatting only: the running is hooks/service's, the reading hooks/audit's.
#include "hooks/app/replay_command.hpp"

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "hooks/app/audit_commands.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/sqlite_db.hpp"
#include "hooks/protocol/sent_text.hpp"
#include "hooks/service/ivig_service.hpp"
#include "rules/load/knowledge_loader.hpp"

namespace ivig::app {
namespace {

std::string joined(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) text += (text.empty() ? "" : " ") + id;
  return text;
}

/// One card that would change: which rules, and its indicator before and after ("" when absent).
struct card_change {
  std::string rules;
  std::string before;
  std::string after;
  std::string summary;
};

/// The cards of `after` against those of `before`, matched by their rules in order of appearance.
std::vector<card_change> compare(const std::vector<audit::card_record>& before,
                                 const std::vector<audit::card_record>& after) {
  std::map<std::string, std::vector<const audit::card_record*>> old_by_rules, new_by_rules;
  for (const audit::card_record& card : before) old_by_rules[joined(card.rule_ids)].push_back(&card);
  for (const audit::card_record& card : after) new_by_rules[joined(card.rule_ids)].push_back(&card);
  std::map<std::string, bool> keys;
  for (const auto& [rules, cards] : old_by_rules) keys[rules] = true;
  for (const auto& [rules, cards] : new_by_rules) keys[rules] = true;
  std::vector<card_change> changes;
  for (const auto& [rules, ignored] : keys) {
    const auto& old_cards = old_by_rules[rules];
    const auto& new_cards = new_by_rules[rules];
    for (std::size_t i = 0; i < std::max(old_cards.size(), new_cards.size()); ++i) {
      const audit::card_record* was = i < old_cards.size() ? old_cards[i] : nullptr;
      const audit::card_record* now = i < new_cards.size() ? new_cards[i] : nullptr;
      if (was != nullptr && now != nullptr && was->indicator == now->indicator) continue;
      changes.push_back({rules, was != nullptr ? was->indicator : "", now != nullptr ? now->indicator : "",
                         now != nullptr ? now->summary : was->summary});
    }
  }
  return changes;
}

struct rule_tally {
  std::size_t added = 0;
  std::size_t removed = 0;
  std::map<std::string, std::size_t> changed;  ///< "warning -> critical" → count
};

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string describe(const card_change& change) {
  const std::string summary = " \"" + protocol::escape_controls(change.summary, false) + "\"";
  if (change.before.empty()) return "added " + change.rules + " " + change.after + summary;
  if (change.after.empty()) return "removed " + change.rules + " " + change.before + summary;
  return change.rules + " " + change.before + " -> " + change.after + summary;
}

}  // namespace

int run_replay_command(const options& o) {
  const replay_command& r = o.replay;
  rules::load_options load_options;
  if (!o.anti_iga_test_codes.empty()) load_options.site_codes["anti-iga-test-code"] = o.anti_iga_test_codes;
  const rules::load_result loaded = rules::load_knowledge_dir(r.knowledge_dir, load_options);
  if (!loaded) {
    std::cerr << "ivig-cds replay: knowledge bundle rejected: " << loaded.error() << "\n";
    return 1;
  }
  fhir::time_point now{};
  service::service_options options;
  options.max_json_depth = o.json_max_depth;
  options.limits = o.limits;
  options.now = [&now] { return now; };
  std::size_t rule_failures = 0;
  options.log = [&rule_failures](std::string_view) { ++rule_failures; };
  service::ivig_service service(*loaded, options);

  std::size_t answered = 0, without_input = 0, replayed = 0, changed_calls = 0, changed_cards = 0;
  std::map<std::string, rule_tally> tallies;
  std::vector<std::string> listed, unrunnable;
  try {
    const auto reader = open_audit_reader(o);
    reader->for_each_call(r.from, r.to, true, [&](const audit::entry_ref& at, const std::string& payload) {
      ++answered;
      const std::optional<audit::call_record> call = audit::call_from_json(payload);
      if (!call || call->replay_input.empty()) {
        ++without_input;
        return;
      }
      const auto received = fhir::parse_fhir_time(call->received_at);
      const std::string label = call->received_at + " " + protocol::escape_controls(call->hook_instance, false);
      if (!received) {
        unrunnable.push_back(label + " (entry " + audit::entry_label(at) + "): its received time cannot be read");
        return;
      }
      now = received->at;
      const auto again = service.replay(call->service_id, call->replay_input);
      if (!again) {
        unrunnable.push_back(label + " (entry " + audit::entry_label(at) + "): " + again.error());
        return;
      }
      ++replayed;
      const std::vector<card_change> changes = compare(call->cards, again->cards);
      if (changes.empty()) return;
      ++changed_calls;
      changed_cards += changes.size();
      for (const card_change& change : changes) {
        rule_tally& tally = tallies[change.rules];
        if (change.before.empty()) {
          ++tally.added;
        } else if (change.after.empty()) {
          ++tally.removed;
        } else {
          ++tally.changed[change.before + " -> " + change.after];
        }
        if (listed.size() < r.max_listed) listed.push_back(label + "  " + describe(change));
      }
    });
  } catch (const std::exception& e) {
    std::cerr << "ivig-cds replay: the audit log cannot be read: " << e.what() << "\n";
    return 1;
  }

  const rules::knowledge& kb = **loaded;
  std::cout << "ivig-cds replay: knowledge " << kb.bundle << " " << kb.version << " on the calls received "
            << (r.from.empty() ? "from the start" : "from " + r.from) << " "
            << (r.to.empty() ? "to the end" : "to " + r.to) << " of " << audit_log_name(o) << "\n"
            << "calls answered: " << answered << "; replayed: " << replayed
            << "; without a replay input: " << without_input << "; could not be run: " << unrunnable.size() << "\n";
  if (rule_failures > 0)
    std::cout << "rule failures while replaying: " << rule_failures << " (their checks were listed as not completed)\n";
  if (changed_cards == 0) {
    std::cout << "no card would change\n";
  } else {
    std::cout << "cards that would change: " << changed_cards << " in " << changed_calls << " call(s)\n\n"
              << padded("rules", 12) << right("added", 7) << right("removed", 9) << "  indicator changed\n";
    for (const auto& [rules, tally] : tallies) {
      std::string shifts;
      for (const auto& [shift, count] : tally.changed)
        shifts += (shifts.empty() ? "" : ", ") + shift + " " + std::to_string(count);
      std::cout << padded(rules, 12) << right(std::to_string(tally.added), 7) << right(std::to_string(tally.removed), 9)
                << "  " << (shifts.empty() ? "-" : shifts) << "\n";
    }
    std::cout << "\ncalls:\n";
    for (const std::string& line : listed) std::cout << "  " << line << "\n";
    if (changed_cards > listed.size())
      std::cout << "  … " << (changed_cards - listed.size()) << " more (--list raises the limit)\n";
  }
  for (const std::string& line : unrunnable) std::cout << "could not be run: " << line << "\n";
  return changed_cards == 0 && unrunnable.empty() ? 0 : 3;
}

}  // namespace ivig::app
