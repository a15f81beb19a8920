#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py: writes the seed corpora of tests/fuzz/seeds/<target>/ (committed).

Small on purpose: libFuzzer mutates better from a few short, varied inputs than from megabytes. The
sources are ../shared (CDS Hooks examples, one Synthea record cut down to a few entries of each
type), IVIg requests shaped like the scenario tests' (tests/support/fhir_builders.cpp), and the
embedded knowledge files. Run from anywhere: python3 tests/fuzz/make_seeds.py
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = HERE / "seeds"

SNOMED, LOINC, RXNORM = "http://snomed.info/sct", "http://loinc.org", "http://www.nlm.nih.gov/research/umls/rxnorm"


def concept(system, code, display):
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def dose_rate(kind, quantity):
    return {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/dose-rate-type", "code": kind}]},
            "doseQuantity": quantity}


def ivig_order(order_id, dose, unit, extra_dosage=None):
    dosage = {"text": f"{dose} {unit} IV", "route": concept(SNOMED, "47625008", "Intravenous route"),
              "doseAndRate": [dose_rate("ordered", {"value": dose, "unit": unit,
                                                    "system": "http://unitsofmeasure.org", "code": unit}),
                              {"rateQuantity": {"value": 1, "unit": "mg/kg/min", "code": "mg/kg/min"}}],
              "timing": {"repeat": {"count": 5, "frequency": 1, "period": 1, "periodUnit": "d"}}}
    dosage.update(extra_dosage or {})
    return {"resourceType": "MedicationRequest", "id": order_id, "status": "draft", "intent": "order",
            "medicationCodeableConcept": concept(RXNORM, "1809502", "100 ML Octagam 10% Injection"),
            "subject": {"reference": "Patient/example"}, "authoredOn": "2026-11-22",
            "reasonCode": [{"text": "Chronic inflammatory demyelinating polyneuropathy"}],
            "dosageInstruction": [dosage]}


def observation(obs_id, code, value, unit):
    return {"resourceType": "Observation", "id": obs_id, "status": "final", "code": code,
            "subject": {"reference": "Patient/example"}, "effectiveDateTime": "2026-11-01T08:00:00Z",
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}


def searchset(resources):
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def request(hook, orders, prefetch):
    context = {"userId": "Practitioner/example", "patientId": "example",
               "draftOrders": {"resourceType": "Bundle", "type": "collection",
                               "entry": [{"resource": o} for o in orders]}}
    if hook == "order-select":
        context["selections"] = [f"MedicationRequest/{orders[0]['id']}"]
    return {"hook": hook, "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": context,
            "prefetch": prefetch}


def ivig_prefetch():
    return {"patient": {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": "1970-01-01"},
            "conditions": searchset([{"resourceType": "Condition", "id": "c1",
                                      "clinicalStatus": {"coding": [{"code": "active"}]},
                                      "code": concept(SNOMED, "44054006", "Diabetes mellitus type 2")}]),
            "observations": searchset([observation("w", concept(LOINC, "29463-7", "Body weight"), 70, "kg"),
                                       observation("h", concept(LOINC, "8302-2", "Body height"), 170, "cm"),
                                       observation("cr", concept(LOINC, "2160-0", "Creatinine"), 0.9, "mg/dL")]),
            "allergies": searchset([]), "medications": searchset([]), "immunizations": searchset([]),
            "procedures": None,
            "administrations": {"resourceType": "OperationOutcome",
                                "issue": [{"severity": "error", "code": "exception"}]}}


def trimmed_synthea():
    """One Synthea record, at most three entries of each resource type."""
    path = sorted((SHARED / "fhir-data" / "synthea").glob("*.json"))[0]
    bundle = json.loads(path.read_text())
    kept, counts = [], {}
    for entry in bundle.get("entry", []):
        t = entry.get("resource", {}).get("resourceType")
        if counts.get(t, 0) < 3:
            counts[t] = counts.get(t, 0) + 1
            kept.append(entry)
    bundle["entry"] = kept
    return bundle


def write(target, name, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    if not isinstance(data, (bytes, str)):
        data = json.dumps(data, separators=(",", ":"))
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    select = request("order-select", [ivig_order("ivig-1", 0.4, "g/kg")], ivig_prefetch())
    sign = request("order-sign", [ivig_order("ivig-1", 28, "g"), ivig_order("ivig-2", 400, "mg/kg")], ivig_prefetch())
    examples = sorted((SHARED / "cds-hooks" / "examples").glob("*.json"))
    hook_examples = [p for p in examples if "order-s" in p.name or "order_s" in p.name or "medication" in p.name]
    for target in ("cds_request", "fhir_record"):
        write(target, "ivig-select.json", select)
        write(target, "ivig-sign.json", sign)
        for p in hook_examples:
            write(target, p.name, p.read_bytes())
    write("fhir_record", "synthea-trimmed.json", {"prefetch": {"everything": trimmed_synthea()}})
    # fuzz_service_call: the first byte picks the hook (even: order-select, odd: order-sign).
    write("service_call", "ivig-select.json", b"0" + json.dumps(select).encode())
    write("service_call", "ivig-sign.json", b"1" + json.dumps(sign).encode())
    for p in hook_examples:
        write("service_call", p.name, (b"1" if "sign" in p.name else b"0") + p.read_bytes())
    for dose, unit in ((0.4, "g/kg"), (28, "g"), (400, "mg/kg/d"), (2, "g/kg")):
        write("dose_plan", f"{dose}-{unit.replace('/', '_')}.json", ivig_order("o", dose, unit))
    write("dose_plan", "stu3-dose.json", {"resourceType": "MedicationRequest", "dosageInstruction": [
        {"doseRange": {"low": {"value": 1, "unit": "g/kg"}, "high": {"value": 2, "unit": "g/kg"}},
         "rateRatio": {"numerator": {"value": 100, "unit": "mL"}, "denominator": {"value": 1, "unit": "h"}},
         "maxDosePerPeriod": {"numerator": {"value": 2, "unit": "g/kg"}, "denominator": {"value": 1, "unit": "d"}},
         "timing": {"repeat": {"frequency": 1, "period": 4, "periodUnit": "wk", "boundsDuration": {"value": 3, "unit": "mo"}}}}]})
    write("feedback", "accepted.json", {"feedback": [{"card": "9368d37b-283f-44a0-93ea-547cebab93ae",
                                                      "outcome": "accepted", "acceptedSuggestions": [{"id": "s1"}],
                                                      "outcomeTimestamp": "2026-11-22T12:00:00Z"}]})
    write("feedback", "overridden.json", {"feedback": [{"card": "9368d37b-283f-44a0-93ea-547cebab93ae",
                                                        "outcome": "overridden",
                                                        "overrideReason": {"reason": {"code": "r", "system": "s"},
                                                                           "userComment": "ok"},
                                                        "outcomeTimestamp": "2026-11-22T12:00:00+01:00"}]})
    # fuzz_knowledge replaces the file the first byte picks, by its index in load order
    # (rules::knowledge_file_names()); each seed starts with its own file's index.
    load_order = ["bundle.json", "sources.json", "value-sets.json", "products.json", "recognition.json",
                  "policy.json", "facts.json", "rules.json"]
    # With bit 3 of the first byte set, the input replaces one entry: the second byte picks the
    # file's top-level member, the third an element of it; seeds for the first, middle and last.
    for index, name in enumerate(load_order):
        text = (ROOT / "rules" / "knowledge" / name).read_bytes()
        write("knowledge", name, bytes([index]) + text)
        for m, (key, value) in enumerate(json.loads(text).items()):
            elements = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else [value]
            for e in sorted({0, len(elements) // 2, len(elements) - 1}):
                if e < 0 or e > 255:
                    continue
                write("knowledge", f"{name[:-5]}-{key}-{e}.entry", bytes([index | 8, m, e]) + json.dumps(
                    elements[e], separators=(",", ":")).encode())
    jwks = (SHARED / "cds-hooks" / "examples" / "sandbox-jwks-public.json").read_bytes()
    write("jwt", "jwks.json", b"1" + jwks)
    token = ("eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImV4YW1wbGUifQ."
             "eyJpc3MiOiJodHRwczovL3NhbmRib3guY2RzLWhvb2tzLm9yZyIsImF1ZCI6Imh0dHA6Ly9sb2NhbGhvc3QvY2RzLXNlcnZpY2VzIiwi"
             "ZXhwIjoxNzAwMDAwMDAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6ImFiYyJ9.c2lnbmF0dXJl")
    write("jwt", "token.txt", "0" + token)
    body = json.dumps(select)
    write("http_head", "post.txt", "POST /cds-services/ivig-order-select HTTP/1.1\r\nHost: localhost\r\n"
          "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"hook\":\"x\"}\n")
    write("http_head", "chunked.txt", "POST /cds-services/ivig-order-sign HTTP/1.1\r\nHost: a\r\n"
          "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\nContent-Type: application/fhir+json; charset=utf-8"
          "\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n")
    write("http_head", "get.txt", "GET /cds-services HTTP/1.0\r\nOrigin: https://x\r\n\r\n")
    write("http_head", "post-body.txt", f"POST /cds-services/ivig-order-select HTTP/1.1\r\nHost: h\r\n"
          f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}")


if __name__ == "__main__":
    main()
