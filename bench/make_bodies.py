#!/usr/bin/env python3
# bench/make_bodies.py: the request bodies bench/load.sh sends, written into one folder.
#
#   small.json            the README's order-select (about 6 KB)
#   prefetch-80k.json     an order-select whose prefetch holds about 80 KB of observations
#   synthea-prefetch.json a Synthea patient's prefetch: the record's resources the service asks for
#   synthea-record.json   the whole Synthea record sent as prefetch (every resource, every key)
#   scale-1x … scale-8x   the Synthea prefetch with its observations repeated 1, 2, 4 and 8 times
#
# Usage: bench/make_bodies.py OUT_DIR [SHARED_DIR]   (SHARED_DIR defaults to ../shared)
import copy
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1]
SHARED = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared")
SYNTHEA = os.path.join(SHARED, "fhir-data", "synthea", "Isaiah_Schaden_b6b36717-6ad2-433d-bf5c-6c77bc2fcd96.json")
KEYS = {"Condition": "conditions", "Observation": "observations", "AllergyIntolerance": "allergies",
        "Immunization": "immunizations", "MedicationRequest": "medications", "Procedure": "procedures",
        "MedicationAdministration": "administrations"}


def bundle(resources):
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def write(name, body):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(body, f, separators=(",", ":"))


def order_select(patient_id, prefetch):
    order = {"resourceType": "MedicationRequest", "id": "ivig-1", "status": "draft", "intent": "order",
             "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                       "code": "758996", "display": "Privigen"}]},
             "subject": {"reference": "Patient/" + patient_id},
             "reasonCode": [{"text": "Chronic inflammatory demyelinating polyneuropathy"}],
             "dosageInstruction": [{"route": {"coding": [{"system": "http://snomed.info/sct", "code": "47625008"}]},
                                    "doseAndRate": [{"doseQuantity": {"value": 0.5, "unit": "g/kg",
                                                                      "system": "http://unitsofmeasure.org",
                                                                      "code": "g/kg"}}]}]}
    return {"hook": "order-select", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            "context": {"userId": "Practitioner/example", "patientId": patient_id,
                        "selections": ["MedicationRequest/ivig-1"],
                        "draftOrders": {"resourceType": "Bundle", "type": "collection",
                                        "entry": [{"resource": order}]}},
            "prefetch": prefetch}


def empty_keys(prefetch):
    for key in ("conditions", "observations", "allergies", "immunizations", "medications", "medicationHistory",
                "administrations", "procedures"):
        prefetch.setdefault(key, bundle([]))
    return prefetch


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(ROOT, "deploy", "examples", "order-select-privigen-hyperprolinemia.json")) as f:
        write("small.json", json.load(f))

    with open(SYNTHEA) as f:
        record = json.load(f)
    resources = [e["resource"] for e in record["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    observations = [r for r in resources if r["resourceType"] == "Observation"]

    # The record's first observations up to about 80 KB: the size of a prefetch a busy EHR sends.
    chosen, size = [], 0
    for o in observations:
        if size >= 78 * 1024:
            break
        chosen.append(o)
        size += len(json.dumps(o, separators=(",", ":")))
    write("prefetch-80k.json", order_select(patient["id"], empty_keys(
        {"patient": patient, "observations": bundle(chosen)})))

    def prefetch_of(chosen, repeat=1):
        prefetch = {"patient": patient}
        by_key = {}
        for r in chosen:
            key = KEYS.get(r["resourceType"])
            if key:
                by_key.setdefault(key, []).append(r)
        grown = []
        for i in range(repeat):
            for o in by_key.get("observations", []):
                copy_of = copy.deepcopy(o)
                copy_of["id"] = "%s-%d" % (o.get("id", "obs"), i)
                grown.append(copy_of)
        if repeat > 1:
            by_key["observations"] = grown
        for key, items in by_key.items():
            prefetch[key] = bundle(items)
        return empty_keys(prefetch)

    write("synthea-prefetch.json", order_select(patient["id"], prefetch_of(resources)))
    whole = prefetch_of(resources)
    whole["record"] = record  # every resource of the record, as an EHR that sends too much would
    write("synthea-record.json", order_select(patient["id"], whole))
    for factor in (1, 2, 4, 8):
        write("scale-%dx.json" % factor, order_select(patient["id"], prefetch_of(resources, factor)))


main()
