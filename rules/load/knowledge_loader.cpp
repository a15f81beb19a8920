// rules/load/knowledge_loader.cpp: builds a knowledge object from the bundle's JSON files and
// cross-checks it against the engine's catalogue of implemented rules.
#include "rules/load/knowledge_loader.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <rapidjson/error/en.h>

#include "rules/engine/rule_catalogue.hpp"
#include "rules/engine/terminology.hpp"
#include "rules/load/embedded_knowledge.hpp"
#include "rules/load/json_reader.hpp"
#include "rules/load/parsed_knowledge.hpp"

namespace ivig::rules {
namespace {

const std::set<std::string, std::less<>> known_data_keys{"patient",           "conditions",      "observations",
                                                         "allergies",         "immunizations",   "medications",
                                                         "medicationHistory", "administrations", "procedures"};
/// The keys whose query is filtered by the codes of the value sets the rules name (docs/layout.md).
const std::set<std::string, std::less<>> code_filtered_keys{"observations", "medicationHistory", "administrations"};
const std::set<std::string, std::less<>> known_excipients{"proline", "sorbitol", "maltose",       "sucrose",
                                                          "glucose", "glycine",  "polysorbate-80"};
const std::set<std::string, std::less<>> handling_topics{"diluent", "filter",        "pooling",
                                                         "storage", "compatibility", "other"};

std::string indexed(std::string_view base, std::size_t index, std::string_view id = {}) {
  std::string out = std::string(base) + "[" + std::to_string(index) + "]";
  if (!id.empty()) out += " (" + std::string(id) + ")";
  return out;
}

/// A reader for entry `index` of `list` whose path names the entry's id ("rules.json: rules[3] (R4)"),
/// so that every later error points at the entry a person would look for.
json_object_reader entry_reader(const rapidjson::Value& item, std::string_view file, std::string_view list,
                                std::size_t index, std::string& id) {
  {
    json_object_reader peek(item, std::string(file) + ": " + indexed(list, index));
    id = peek.required_string("id");
  }
  json_object_reader reader(item, std::string(file) + ": " + indexed(list, index, id));
  reader.accept("id");
  return reader;
}

class loader {
 public:
  loader(knowledge& kb, const load_options& options) : kb_(kb), options_(options) {}

  void load(const parsed_knowledge_files& docs) {
    read_bundle(*docs.at("bundle.json"));
    read_sources(*docs.at("sources.json"));
    read_value_sets(*docs.at("value-sets.json"));
    add_site_codes();
    read_products(*docs.at("products.json"));
    read_recognition(*docs.at("recognition.json"));
    read_policy(*docs.at("policy.json"));
    read_facts(*docs.at("facts.json"));
    read_rules(*docs.at("rules.json"));
    // Every implemented unit against its entry, both ways; then the order facts against facts.json.
    if (auto bound = bind_catalogue(kb_); !bound) throw knowledge_error(bound.error());
  }

 private:
  /// The label a product row was verified against, its labelled contents (sodium, osmolality), its
  /// rate titrations and its doses per indication (docs/knowledge-format.md, "Product labels").
  void read_label_facts(json_object_reader& r, product& p) {
    if (const rapidjson::Value* label = r.optional_object("label")) {
      json_object_reader x(*label, r.path() + ".label");
      label_reference ref;
      ref.title = x.required_string("title");
      ref.region = x.required_string("region");
      if (ref.region != "US" && ref.region != "EU" && ref.region != "other")
        x.fail("region", "must be US, EU or other, not '" + ref.region + "'");
      ref.revised = x.optional_string("revised");
      ref.url = x.optional_string("url");
      ref.detail = x.optional_string("detail");
      ref.evidence = evidence(x);
      ref.sources = source_list(x, ref.evidence != evidence_level::unconfirmed);
      x.finish();
      p.label = std::move(ref);
    }
    p.sodium = labelled_content_of(r, "sodium", {"mg/mL", "mmol/L"});
    p.osmolality = labelled_content_of(r, "osmolality", {"mOsm/kg", "mOsm/L"});
    if (const rapidjson::Value* list = r.optional_array("titration")) {
      std::size_t j = 0;
      for (const auto& item : list->GetArray()) {
        json_object_reader x(item, r.path() + "." + indexed("titration", j++));
        titration_schedule t;
        t.indication = every_indication_as_all(x.optional_string("indication"));
        std::size_t k = 0;
        const rapidjson::Value& steps = x.required_array("steps");
        for (const auto& step : steps.GetArray()) {
          json_object_reader st(step, x.path() + "." + indexed("steps", k++));
          titration_step ts{st.required_number("rate"), st.optional_number("minutes")};
          if (ts.mg_per_kg_min <= 0) st.fail("rate", "must be a positive rate in mg/kg/min");
          if (ts.minutes && *ts.minutes <= 0) st.fail("minutes", "must be positive");
          if (!ts.minutes && k != steps.Size()) st.fail("minutes", "only the last step may run without a duration");
          if (!t.steps.empty() && ts.mg_per_kg_min < t.steps.back().mg_per_kg_min)
            st.fail("rate", "steps must not go down");
          st.finish();
          t.steps.push_back(ts);
        }
        if (t.steps.empty()) x.fail("steps", "must have at least one step");
        t.detail = x.optional_string("detail");
        t.evidence = evidence(x);
        t.sources = source_list(x, t.evidence != evidence_level::unconfirmed);
        x.finish();
        p.titrations.push_back(std::move(t));
      }
    }
    if (const rapidjson::Value* list = r.optional_array("doseRanges")) {
      std::size_t j = 0;
      for (const auto& item : list->GetArray()) {
        json_object_reader x(item, r.path() + "." + indexed("doseRanges", j++));
        labelled_dose d;
        d.indication = x.required_string("indication");
        d.region = x.optional_string("region");
        d.text = x.required_string("text");
        d.detail = x.optional_string("detail");
        d.per_day_max_g_per_kg = x.optional_number("perDayMax");
        d.per_course_max_g_per_kg = x.optional_number("perCourseMax");
        if (d.per_day_max_g_per_kg && *d.per_day_max_g_per_kg <= 0) x.fail("perDayMax", "must be positive (g/kg)");
        if (d.per_course_max_g_per_kg && *d.per_course_max_g_per_kg <= 0)
          x.fail("perCourseMax", "must be positive (g/kg)");
        d.evidence = evidence(x);
        d.sources = source_list(x, d.evidence != evidence_level::unconfirmed);
        x.finish();
        p.dose_ranges.push_back(std::move(d));
      }
    }
  }

  /// "" and "all" both mean every indication; the knowledge says "all" (as maxRates does).
  static std::string every_indication_as_all(std::string indication) {
    return indication.empty() ? std::string("all") : indication;
  }

  std::optional<labelled_content> labelled_content_of(json_object_reader& r, std::string_view key,
                                                      std::initializer_list<std::string_view> units) {
    const rapidjson::Value* object = r.optional_object(key);
    if (object == nullptr) return std::nullopt;
    json_object_reader x(*object, r.path() + "." + std::string(key));
    labelled_content c;
    c.value = x.required_number("value");
    c.unit = x.required_string("unit");
    if (std::find(units.begin(), units.end(), c.unit) == units.end())
      x.fail("unit", "'" + c.unit + "' is not a unit for " + std::string(key));
    c.kind = x.required_string("kind");
    if (c.kind != "max" && c.kind != "average" && c.kind != "less-than" && c.kind != "trace" && c.kind != "range-max")
      x.fail("kind", "must be max, average, less-than, trace or range-max");
    c.detail = x.optional_string("detail");
    c.evidence = evidence(x);
    c.sources = source_list(x, c.evidence != evidence_level::unconfirmed);
    x.finish();
    return c;
  }

  evidence_level evidence(json_object_reader& r) {
    const std::string marker = r.required_string("evidence");
    const std::optional<evidence_level> level = parse_evidence(marker);
    if (!level) r.fail("evidence", "must be \"C\", \"S\" or \"U\", not \"" + marker + "\"");
    return *level;
  }

  const source* source_ref(const json_object_reader& r, const std::string& id) {
    const auto it = kb_.sources.find(id);
    if (it == kb_.sources.end()) r.fail("sources", "names unknown source '" + id + "'");
    return &it->second;
  }

  std::vector<const source*> source_list(json_object_reader& r, bool required) {
    std::vector<const source*> out;
    for (const std::string& id : r.string_array("sources", required)) out.push_back(source_ref(r, id));
    if (required && out.empty()) r.fail("sources", "must name at least one source");
    return out;
  }

  std::vector<citation> citations(json_object_reader& r, std::string_view key, bool required) {
    std::vector<citation> out;
    const rapidjson::Value* list = required ? &r.required_array(key) : r.optional_array(key);
    if (list == nullptr) return out;
    std::size_t i = 0;
    for (const auto& item : list->GetArray()) {
      json_object_reader c(item, r.path() + "." + indexed(key, i++));
      citation cited;
      cited.cited = source_ref(c, c.required_string("source"));
      cited.evidence = evidence(c);
      cited.detail = c.optional_string("detail");
      c.finish();
      out.push_back(std::move(cited));
    }
    if (required && out.empty()) r.fail(key, "must cite at least one source");
    return out;
  }

  const value_set& value_set_ref(const json_object_reader& r, std::string_view key, const std::string& id) {
    const value_set* found = kb_.find_value_set(id);
    if (found == nullptr) r.fail(key, "names unknown value set '" + id + "'");
    return *found;
  }

  sourced_value sourced(json_object_reader& parent, std::string_view key, std::string_view unit) {
    json_object_reader r(parent.required_object(key), parent.path() + "." + std::string(key));
    return sourced_body(r, unit);
  }

  sourced_value sourced_body(json_object_reader& r, std::string_view unit) {
    sourced_value v;
    v.value = r.required_number("value");
    const std::string found_unit = r.required_string("unit");
    if (found_unit != unit) r.fail("unit", "must be \"" + std::string(unit) + "\", not \"" + found_unit + "\"");
    v.evidence = evidence(r);
    // An unconfirmed [U] fact has, by definition, no source to cite; a [C] or [S] fact must cite one.
    v.sources = source_list(r, v.evidence != evidence_level::unconfirmed);
    v.detail = r.optional_string("detail");  // the label's words, or why the value is unconfirmed
    return v;
  }

  void read_bundle(const rapidjson::Document& doc) {
    json_object_reader r(doc, "bundle.json");
    kb_.bundle = r.required_string("bundle");
    kb_.version = r.required_string("version");
    kb_.published = r.required_string("published");
    r.optional_string("description");
    r.finish();
  }

  void read_sources(const rapidjson::Document& doc) {
    json_object_reader top(doc, "sources.json");
    std::size_t i = 0;
    for (const auto& item : top.required_array("sources").GetArray()) {
      json_object_reader r(item, "sources.json: " + indexed("sources", i++));
      source s{r.required_string("id"), r.required_string("label"), r.optional_string("url")};
      r.finish();
      if (!kb_.sources.emplace(s.id, s).second) r.fail("id", "duplicates source '" + s.id + "'");
    }
    top.finish();
  }

  void read_value_sets(const rapidjson::Document& doc) {
    json_object_reader top(doc, "value-sets.json");
    if (const rapidjson::Value* aliases = top.optional_object("systemAliases")) {
      for (const auto& m : aliases->GetObject()) {
        if (!m.value.IsString()) top.fail("systemAliases", "values must be strings");
        kb_.system_aliases.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                                   std::string(m.value.GetString(), m.value.GetStringLength()));
      }
    }
    std::size_t i = 0;
    for (const auto& item : top.required_array("valueSets").GetArray()) {
      value_set set;
      json_object_reader r = entry_reader(item, "value-sets.json", "valueSets", i++, set.id);
      set.title = r.required_string("title");
      set.provenance = r.required_string("provenance");
      read_codes(r, set);
      for (std::string& term : r.string_array("textTerms", false)) {
        if (term != to_lower(term)) r.fail("textTerms", "must be lower case: \"" + term + "\"");
        set.text_terms.push_back(std::move(term));
      }
      set.site_codes_option = r.optional_string("siteCodesOption");
      if (set.codes.empty() && set.prefixes.empty() && set.text_terms.empty())
        r.fail("", "needs at least one of codes, prefixes, textTerms");
      r.finish();
      const std::string id = set.id;
      if (!kb_.value_sets.emplace(id, std::move(set)).second) r.fail("id", "duplicates value set '" + id + "'");
    }
    top.finish();
  }

  void read_codes(json_object_reader& r, value_set& set) {
    if (const rapidjson::Value* codes = r.optional_array("codes")) {
      std::size_t i = 0;
      for (const auto& item : codes->GetArray()) {
        json_object_reader c(item, r.path() + "." + indexed("codes", i++));
        code_entry entry;
        entry.system = std::string(kb_.canonical_system(c.required_string("system")));
        entry.code = c.required_string("code");
        entry.display = c.optional_string("display");
        entry.evidence = evidence(c);
        source_list(c, false);
        c.finish();
        const std::string key = code_key(entry.system, entry.code);
        if (!set.code_index.emplace(key, set.codes.size()).second) c.fail("code", "duplicates " + key);
        set.codes.push_back(std::move(entry));
      }
    }
    if (const rapidjson::Value* prefixes = r.optional_array("prefixes")) {
      std::size_t i = 0;
      for (const auto& item : prefixes->GetArray()) {
        json_object_reader c(item, r.path() + "." + indexed("prefixes", i++));
        prefix_entry entry;
        entry.system = std::string(kb_.canonical_system(c.required_string("system")));
        const std::string key = code_key(entry.system, c.required_string("prefix"));
        entry.prefix = key.substr(entry.system.size() + 1);
        entry.display = c.optional_string("display");
        entry.evidence = evidence(c);
        source_list(c, false);
        c.finish();
        set.prefixes.push_back(std::move(entry));
      }
    }
  }

  /// The site's local codes (load_options) join the value sets that name their option, so that
  /// matching finds them and the prefetch template's code list requests them.
  void add_site_codes() {
    for (const auto& [option, values] : options_.site_codes) {
      value_set* target = nullptr;
      for (auto& [id, set] : kb_.value_sets)
        if (set.site_codes_option == option) target = &set;
      if (target == nullptr && !values.empty())
        throw knowledge_error("--" + option + ": no value set in value-sets.json takes this option's codes");
      for (const std::string& value : values) {
        const auto bar = value.find('|');
        if (bar == std::string::npos || bar == 0 || bar + 1 == value.size() ||
            value.find('|', bar + 1) != std::string::npos || value.find_first_of(", \t") != std::string::npos)
          throw knowledge_error("--" + option + ": '" + value +
                                "' must be system|code (one bar, no comma or space), e.g. "
                                "http://lab.example.org/codes|AIGA");
        code_entry entry;
        entry.system = std::string(kb_.canonical_system(value.substr(0, bar)));
        entry.code = value.substr(bar + 1);
        entry.display = "local code configured by this site (--" + option + ")";
        // The site's own statement of what its code means: configuration, not a cited fact.
        entry.evidence = evidence_level::unconfirmed;
        const std::string key = code_key(entry.system, entry.code);
        if (!target->code_index.emplace(key, target->codes.size()).second)
          throw knowledge_error("--" + option + ": '" + value + "' is already in " + target->id);
        target->codes.push_back(std::move(entry));
        ++target->site_codes;
      }
    }
  }

  void read_products(const rapidjson::Document& doc) {
    json_object_reader top(doc, "products.json");
    const rapidjson::Value& list = top.required_array("products");
    kb_.products.reserve(list.Size());  // products are pointed to from the index: no reallocation later
    std::size_t i = 0;
    for (const auto& item : list.GetArray()) {
      product p;
      json_object_reader r = entry_reader(item, "products.json", "products", i++, p.id);
      p.name = r.required_string("name");
      p.family = to_lower(r.optional_string("family"));
      p.labeler = r.optional_string("labeler");
      p.marketed = r.optional_bool("marketed", true);
      for (std::string& name : r.string_array("names", false)) p.names.push_back(to_lower(name));
      if (r.has("concentration")) p.concentration_mg_per_ml = sourced(r, "concentration", "mg/mL");
      p.excipients_known = r.has("excipients");
      if (const rapidjson::Value* excipients = r.optional_array("excipients")) {
        std::size_t j = 0;
        for (const auto& e : excipients->GetArray()) {
          json_object_reader x(e, r.path() + "." + indexed("excipients", j++));
          excipient ex;
          ex.substance = x.required_string("substance");
          if (known_excipients.count(ex.substance) == 0)
            x.fail("substance", "unknown excipient '" + ex.substance + "'");
          ex.detail = x.optional_string("detail");
          if (ex.detail.empty()) ex.detail = ex.substance;
          ex.evidence = evidence(x);
          ex.sources = source_list(x, ex.evidence != evidence_level::unconfirmed);
          if (const rapidjson::Value* amount = x.optional_object("amount")) {
            json_object_reader a(*amount, x.path() + ".amount");
            const std::string unit = a.required_string("unit");
            if (unit != "mg/mL") a.fail("unit", "must be \"mg/mL\", not \"" + unit + "\"");
            ex.mg_per_ml = a.required_number("value");
            a.finish();
          }
          x.finish();
          p.excipients.push_back(std::move(ex));
        }
      }
      if (const rapidjson::Value* iga = r.optional_object("iga")) {
        json_object_reader x(*iga, r.path() + ".iga");
        const sourced_value v = sourced_body(x, "ug/mL");
        iga_content content{v.value, x.required_string("kind"), v.evidence, v.sources};
        if (content.kind != "max" && content.kind != "average" && content.kind != "less-than")
          x.fail("kind", "must be max, average or less-than");
        x.finish();
        p.iga = content;
      }
      if (r.has("initialRate")) p.initial_rate = read_rate(r, "initialRate");
      if (const rapidjson::Value* rates = r.optional_array("maxRates")) {
        std::size_t j = 0;
        for (const auto& rate : rates->GetArray()) {
          json_object_reader x(rate, r.path() + "." + indexed("maxRates", j++));
          indication_rate entry;
          entry.indication = x.optional_string("indication");
          entry.rate = sourced_body(x, "mg/kg/min");
          x.optional_string("detail");
          x.finish();
          p.max_rates.push_back(std::move(entry));
        }
      }
      if (r.has("atRiskMaxRate")) p.at_risk_max_rate = read_rate(r, "atRiskMaxRate");
      if (const rapidjson::Value* vials = r.optional_object("vialSizes")) {
        json_object_reader x(*vials, r.path() + ".vialSizes");
        const std::string unit = x.required_string("unit");
        if (unit != "g") x.fail("unit", "must be \"g\", not \"" + unit + "\"");
        for (const auto& size : x.required_array("values").GetArray()) {
          if (!size.IsNumber() || size.GetDouble() <= 0) x.fail("values", "must be positive numbers");
          p.vial_sizes_g.push_back(size.GetDouble());
        }
        x.optional_string("detail");
        const evidence_level vial_evidence = evidence(x);
        p.vial_sizes_g_evidence =
            sourced_value{0, vial_evidence, source_list(x, vial_evidence != evidence_level::unconfirmed), {}};
        x.finish();
      }
      if (const rapidjson::Value* ids = r.optional_array("identifiers")) {
        std::size_t j = 0;
        for (const auto& id : ids->GetArray()) {
          json_object_reader x(id, r.path() + "." + indexed("identifiers", j++));
          product_identifier entry{std::string(kb_.canonical_system(x.required_string("system"))),
                                   x.required_string("code"), x.optional_string("kind")};
          x.finish();
          p.identifiers.push_back(std::move(entry));
        }
      }
      if (const rapidjson::Value* handling = r.optional_array("administration")) {
        std::size_t j = 0;
        for (const auto& statement : handling->GetArray()) {
          json_object_reader x(statement, r.path() + "." + indexed("administration", j++));
          handling_statement h;
          h.topic = x.optional_string("topic");
          if (h.topic.empty()) h.topic = "other";
          if (handling_topics.count(h.topic) == 0)
            x.fail("topic", "must be diluent, filter, pooling, storage, compatibility or other, not '" + h.topic + "'");
          h.text = x.required_string("text");
          const evidence_level level = evidence(x);
          h.fact = sourced_value{0, level, source_list(x, level != evidence_level::unconfirmed), {}};
          x.finish();
          p.administration.push_back(std::move(h));
        }
      }
      read_label_facts(r, p);
      r.optional_string("notes");
      r.finish();
      kb_.products.push_back(std::move(p));
    }
    top.finish();
    std::set<std::string> ids;
    for (const product& p : kb_.products) {
      if (!ids.insert(p.id).second) throw knowledge_error("products.json: duplicate product id '" + p.id + "'");
      for (const product_identifier& id : p.identifiers) kb_.product_index[code_key(id.system, id.code)].push_back(&p);
    }
  }

  sourced_value read_rate(json_object_reader& parent, std::string_view key) {
    json_object_reader r(parent.required_object(key), parent.path() + "." + std::string(key));
    sourced_value v = sourced_body(r, "mg/kg/min");
    r.optional_string("detail");
    r.finish();
    return v;
  }

  void read_recognition(const rapidjson::Document& doc) {
    json_object_reader top(doc, "recognition.json");
    json_object_reader r(top.required_object("recognition"), "recognition.json: recognition");
    recognition_policy& p = kb_.recognition;
    p.iv_product_codes = &value_set_ref(r, "ivProductCodes", r.required_string("ivProductCodes"));
    p.ingredient_codes = &value_set_ref(r, "ingredientCodes", r.required_string("ingredientCodes"));
    p.not_intravenous_codes = &value_set_ref(r, "notIntravenousCodes", r.required_string("notIntravenousCodes"));
    p.intravenous_routes = &value_set_ref(r, "intravenousRoutes", r.required_string("intravenousRoutes"));
    for (std::string& term : r.string_array("textTerms", true)) p.text_terms.push_back(to_lower(term));
    for (std::string& term : r.string_array("intravenousTextTerms", true))
      p.intravenous_text_terms.push_back(to_lower(term));
    p.citations = citations(r, "sources", true);
    r.finish();
    top.finish();
  }

  void read_policy(const rapidjson::Document& doc) {
    json_object_reader top(doc, "policy.json");
    std::size_t i = 0;
    for (const auto& item : top.required_array("thresholds").GetArray()) {
      threshold t;
      json_object_reader r = entry_reader(item, "policy.json", "thresholds", i++, t.id);
      t.value = r.required_number("value");
      t.unit = r.required_string("unit");
      t.evidence = evidence(r);
      t.description = r.required_string("description");
      t.rationale = r.optional_string("rationale");
      t.sources = source_list(r, false);
      if (t.local_policy() && t.rationale.empty()) r.fail("rationale", "is required for a [U] local-policy value");
      if (!t.local_policy() && t.sources.empty()) r.fail("sources", "are required for a [C] or [S] value");
      r.finish();
      const std::string id = t.id;
      if (!kb_.thresholds.emplace(id, std::move(t)).second) r.fail("id", "duplicates threshold '" + id + "'");
    }
    i = 0;
    const rapidjson::Value& reasons = top.required_array("overrideReasons");
    kb_.override_reasons.reserve(reasons.Size());  // rules point into the catalogue: no reallocation later
    for (const auto& item : reasons.GetArray()) {
      json_object_reader r(item, "policy.json: " + indexed("overrideReasons", i++));
      override_reason reason{r.required_string("system"), r.required_string("code"), r.required_string("display"),
                             r.required_string("description")};
      r.finish();
      if (find_override_reason(reason.code) != nullptr)
        r.fail("code", "duplicates override reason '" + reason.code + "'");
      kb_.override_reasons.push_back(std::move(reason));
    }
    if (kb_.override_reasons.empty()) top.fail("overrideReasons", "must list at least one reason");
    for (const std::string& code : top.string_array("incompleteScreenOverrideReasons", true)) {
      const override_reason* reason = find_override_reason(code);
      if (reason == nullptr)
        top.fail("incompleteScreenOverrideReasons", "names unknown override reason '" + code + "'");
      kb_.incomplete_screen_override_reasons.push_back(reason);
    }
    if (kb_.incomplete_screen_override_reasons.empty())
      top.fail("incompleteScreenOverrideReasons", "must list at least one reason");
    const double limit = top.required_number("lowIgaSuggestionLimit");
    if (limit < 1 || limit > 10 || limit != static_cast<unsigned>(limit))
      top.fail("lowIgaSuggestionLimit", "must be a whole number from 1 to 10");
    kb_.low_iga_suggestion_limit = static_cast<unsigned>(limit);
    top.finish();
  }

  const override_reason* find_override_reason(std::string_view code) const {
    for (const override_reason& reason : kb_.override_reasons)
      if (reason.code == code) return &reason;
    return nullptr;
  }

  /// A rule's `overrideReasons`: codes of the policy.json catalogue. A card that can be overridden
  /// (warning or critical) must offer reasons that fit it.
  std::vector<const override_reason*> rule_override_reasons(json_object_reader& r, const rule_definition& rule) {
    std::vector<const override_reason*> out;
    for (const std::string& code : r.string_array("overrideReasons", false)) {
      const override_reason* reason = find_override_reason(code);
      if (reason == nullptr) r.fail("overrideReasons", "names unknown override reason '" + code + "'");
      if (std::find(out.begin(), out.end(), reason) != out.end())
        r.fail("overrideReasons", "names '" + code + "' twice");
      out.push_back(reason);
    }
    if (out.empty() && rule.level != severity::info)
      r.fail("overrideReasons",
             "a " + std::string(severity_name(rule.level)) + " rule must list the override reasons that fit it");
    return out;
  }

  void read_rules(const rapidjson::Document& doc) {
    json_object_reader top(doc, "rules.json");
    std::size_t i = 0;
    for (const auto& item : top.required_array("rules").GetArray()) {
      rule_definition rule;
      json_object_reader r = entry_reader(item, "rules.json", "rules", i++, rule.id);
      if (kb_.find_rule(rule.id) != nullptr) r.fail("id", "duplicates rule '" + rule.id + "'");
      rule.version = r.required_string("version");
      const std::string status = r.required_string("status");
      if (status != "active" && status != "planned") r.fail("status", "must be active or planned");
      rule.status = status == "active" ? rule_status::active : rule_status::planned;
      rule.title = r.required_string("title");
      const std::string level = r.required_string("severity");
      if (level == "critical")
        rule.level = severity::critical;
      else if (level == "warning")
        rule.level = severity::warning;
      else if (level == "info")
        rule.level = severity::info;
      else
        r.fail("severity", "must be critical, warning or info");
      rule.when = r.required_string("when");
      rule.then = r.required_string("then");
      rule.contraindication_screen = r.optional_bool("contraindicationScreen", false);
      r.string_array("hooks", false);
      rule.citations = citations(r, "sources", true);
      if (const rapidjson::Value* data = r.optional_array("data")) {
        std::size_t j = 0;
        for (const auto& need_item : data->GetArray()) {
          json_object_reader n(need_item, r.path() + "." + indexed("data", j++));
          data_need need;
          need.key = n.required_string("key");
          if (known_data_keys.count(need.key) == 0) n.fail("key", "unknown data key '" + need.key + "'");
          for (const std::string& id : n.string_array("valueSets", false)) {
            if (code_filtered_keys.count(need.key) == 0)
              n.fail("valueSets", "are only for observations, medicationHistory and administrations");
            need.observation_sets.push_back(&value_set_ref(n, "valueSets", id));
          }
          n.finish();
          rule.data.push_back(std::move(need));
        }
      }
      rule.roles = read_roles(r);
      rule.override_reasons = rule_override_reasons(r, rule);
      r.finish();
      kb_.rules.push_back(std::move(rule));
    }
    top.finish();
  }

  /// An entry's role maps (`valueSets`, `thresholds`, `params`), each name resolved to its target.
  knowledge_roles read_roles(json_object_reader& r) {
    knowledge_roles roles;
    if (const rapidjson::Value* map = r.optional_object("valueSets")) {
      for (const auto& m : map->GetObject()) {
        if (!m.value.IsString()) r.fail("valueSets", "values must be value set ids");
        const std::string id(m.value.GetString(), m.value.GetStringLength());
        roles.value_sets.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                                 &value_set_ref(r, "valueSets", id));
      }
    }
    if (const rapidjson::Value* map = r.optional_object("thresholds")) {
      for (const auto& m : map->GetObject()) {
        if (!m.value.IsString()) r.fail("thresholds", "values must be threshold ids");
        const std::string id(m.value.GetString(), m.value.GetStringLength());
        const auto it = kb_.thresholds.find(id);
        if (it == kb_.thresholds.end()) r.fail("thresholds", "names unknown threshold '" + id + "'");
        roles.thresholds.emplace(std::string(m.name.GetString(), m.name.GetStringLength()), &it->second);
      }
    }
    if (const rapidjson::Value* map = r.optional_object("params")) {
      for (const auto& m : map->GetObject()) {
        if (!m.value.IsString()) r.fail("params", "values must be strings");
        roles.params.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                             std::string(m.value.GetString(), m.value.GetStringLength()));
      }
    }
    if (const auto it = roles.params.find("excipient");
        it != roles.params.end() && known_excipients.count(it->second) == 0)
      r.fail("params", "excipient names unknown excipient '" + it->second + "'");
    return roles;
  }

  void read_facts(const rapidjson::Document& doc) {
    json_object_reader top(doc, "facts.json");
    std::size_t i = 0;
    for (const auto& item : top.required_array("facts").GetArray()) {
      fact_definition fact;
      json_object_reader r = entry_reader(item, "facts.json", "facts", i++, fact.id);
      fact.title = r.required_string("title");
      fact.roles = read_roles(r);
      r.finish();
      kb_.facts.push_back(std::move(fact));
    }
    top.finish();
  }

  knowledge& kb_;
  const load_options& options_;
};

std::size_t line_of(std::string_view text, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(
                 text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size())), '\n'));
}

}  // namespace

const std::vector<std::string_view>& knowledge_file_names() {
  static const std::vector<std::string_view> names{"bundle.json",   "sources.json",     "value-sets.json",
                                                   "products.json", "recognition.json", "policy.json",
                                                   "facts.json",    "rules.json"};
  return names;
}

load_result load_knowledge(const std::vector<knowledge_file>& files, const load_options& options) {
  std::map<std::string, rapidjson::Document, std::less<>> docs;
  for (const knowledge_file& file : files) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(file.text.data(), file.text.size());
    if (doc.HasParseError())
      return failure(file.name + ": line " + std::to_string(line_of(file.text, doc.GetErrorOffset())) + ": " +
                     rapidjson::GetParseError_En(doc.GetParseError()));
    docs.emplace(file.name, std::move(doc));
  }
  parsed_knowledge_files parsed;
  for (const auto& [name, doc] : docs) parsed.emplace(name, &doc);
  return load_parsed_knowledge(parsed, options);
}

load_result load_parsed_knowledge(const parsed_knowledge_files& docs, const load_options& options) {
  for (std::string_view name : knowledge_file_names())
    if (docs.find(name) == docs.end()) return failure(std::string(name) + ": missing from the knowledge bundle");
  auto kb = std::make_shared<knowledge>();
  // The strict reader throws knowledge_error from deep inside the bundle's structure; this is the
  // one place it is caught and turned into the result (docs/error-handling.md).
  try {
    loader(*kb, options).load(docs);
  } catch (const knowledge_error& e) {
    return failure(std::string(e.what()));
  }
  return kb;
}

load_result load_knowledge_dir(const std::filesystem::path& folder, const load_options& options) {
  std::vector<knowledge_file> files;
  for (std::string_view name : knowledge_file_names()) {
    const std::filesystem::path path = folder / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) return failure(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back({std::string(name), text.str()});
  }
  return load_knowledge(files, options);
}

load_result load_embedded_knowledge(const load_options& options) {
  std::vector<knowledge_file> files;
  for (const auto& [name, text] : embedded_knowledge_files()) files.push_back({std::string(name), std::string(text)});
  return load_knowledge(files, options);
}

}  // namespace ivig::rules
