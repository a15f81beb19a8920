#!/usr/bin/env python3
# bench/fallback.py: the latency the FHIR fallback adds to a call (issue 12), against the same call
# with a full prefetch (bench/fallback.sh builds and calls it).
#
# Builds an EHR's prefetch for a Synthea patient by running the service's discovery templates
# against the test FHIR server (tests/fhir-server: Medplum over ../shared's records), then serves the
# same answers from nginx as static files: a fast FHIR server, so that the figures show what the
# fallback itself costs. Runs wrk (1 and 8 connections) against ivig-cds (Release, audit on at its
# default durability, default 400 ms fetch deadline) with: the full prefetch; no prefetch, everything
# fetched from nginx; no prefetch, everything fetched from the Medplum server (a slow real server:
# its searches take 100-200 ms each on one Node thread, so these calls meet the deadline).
#
# Usage: bench/fallback.py BUILD_DIR SHARED_DIR [DURATION]   (loopback only; DURATION like "5s")
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import bench_support

BUILD, SHARED = sys.argv[1], sys.argv[2]
DURATION = sys.argv[3] if len(sys.argv) > 3 else "5s"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = tempfile.mkdtemp(prefix="ivig-fallback-")
os.chmod(WORK, 0o755)  # nginx's workers (not root) read the answers from here
TOKEN = "bench-token"
PATIENT = "0e61c3ad-d11e-4080-a6aa-cac89cae4e37"  # Isaiah Schaden
FILES = {"Condition": "conditions", "Observation": "observations", "AllergyIntolerance": "allergies",
         "Immunization": "immunizations", "MedicationAdministration": "administrations", "Procedure": "procedures"}


def get(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token} if token else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode()


def start_medplum():
    log = open(os.path.join(WORK, "medplum.log"), "w+")
    proc = subprocess.Popen(["node", os.path.join(ROOT, "tests/fhir-server/server.js"), "--data",
                             os.path.join(SHARED, "fhir-data/synthea"), "--token", TOKEN, "--port", "0"],
                            stderr=log, stdout=subprocess.DEVNULL)
    for _ in range(600):
        log.seek(0)
        m = re.search(r"^listening (\d+)$", log.read(), re.M)
        if m:
            return proc, int(m.group(1))
        time.sleep(0.1)
    raise SystemExit("the test FHIR server did not start")


def start_nginx(answers):
    root = os.path.join(WORK, "fhir")
    os.makedirs(root)
    for name, body in answers.items():
        with open(os.path.join(root, name + ".json"), "w") as f:
            f.write(body)
    port = bench_support.free_port()
    os.makedirs(os.path.join(WORK, "nginx", "logs"), exist_ok=True)
    routes = "".join("    location = /fhir/%s { try_files /%s.json =404; }\n" % (t, f) for t, f in FILES.items())
    with open(os.path.join(WORK, "nginx", "nginx.conf"), "w") as f:
        f.write("worker_processes 1; daemon off; pid %s/nginx/nginx.pid; error_log %s/nginx/logs/error.log;\n"
                "events { worker_connections 1024; }\n"
                "http { access_log off; types { } default_type application/fhir+json;\n"
                "  map $arg_status $medication_file { default medications; \"completed,stopped\" medicationHistory; }\n"
                "  server { listen 127.0.0.1:%d; root %s;\n"
                "    location ^~ /fhir/Patient/ { try_files /patient.json =404; }\n"
                "    location = /fhir/MedicationRequest { try_files /$medication_file.json =404; }\n%s  } }\n"
                % (WORK, WORK, port, root, routes))
    proc = subprocess.Popen(["nginx", "-p", os.path.join(WORK, "nginx"), "-c", "nginx.conf"], stderr=subprocess.DEVNULL)
    bench_support.wait_port(port)
    return proc, port


def order(prefetch=None, fhir_server=None):
    body = {"hook": "order-select", "hookInstance": "5b7e4c1e-2f9d-4c55-9d4e-0c4f7a0b9c11",
            "context": {"userId": "Practitioner/bench", "patientId": PATIENT, "selections": ["MedicationRequest/ivig-1"],
                        "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
                            "resourceType": "MedicationRequest", "id": "ivig-1", "status": "draft", "intent": "order",
                            "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                                      "code": "758996", "display": "Privigen"}]},
                            "subject": {"reference": "Patient/" + PATIENT},
                            "reasonCode": [{"text": "Chronic inflammatory demyelinating polyneuropathy"}],
                            "dosageInstruction": [{"route": {"coding": [{"system": "http://snomed.info/sct",
                                                                          "code": "47625008"}]},
                                                   "doseAndRate": [{"doseQuantity": {"value": 0.4, "unit": "g/kg"}}]}]}}]}}}
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir_server:
        body["fhirServer"] = fhir_server
        body["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                                     "scope": "patient/*.read", "subject": "ivig-cds"}
    path = os.path.join(WORK, "body-%d.json" % len(os.listdir(WORK)))
    with open(path, "w") as f:
        json.dump(body, f)
    return path


def wrk(port, body, connections):
    return bench_support.wrk(WORK, port, "/cds-services/ivig-order-select", body, connections, DURATION, timeout="10s")


def main():
    procs = []
    try:
        medplum, medplum_port = start_medplum()
        procs.append(medplum)
        medplum_base = "http://127.0.0.1:%d/fhir" % medplum_port
        port = bench_support.free_port()
        service = subprocess.Popen([os.path.join(BUILD, "hooks/app/ivig-cds"), "--port", str(port), "--threads", "2",
                                    "--audit-path", os.path.join(WORK, "audit.sqlite3"),
                                    "--fhir-allow", medplum_base, "--fhir-allow", "http://127.0.0.1/fhir"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(service)
        bench_support.wait_port(port)
        templates = json.loads(get("http://127.0.0.1:%d/cds-services" % port))["services"][0]["prefetch"]
        prefetch, answers = {}, {}
        for key, template in templates.items():
            query = template.replace("{{context.patientId}}", PATIENT).replace("|", "%7C")
            if "?" in query:
                query += "&_count=1000"
            prefetch[key] = json.loads(get(medplum_base + "/" + query, TOKEN))
            answers[key] = json.dumps(prefetch[key])
        nginx, nginx_port = start_nginx(answers)
        procs.append(nginx)
        # The service allows http://127.0.0.1/fhir (port 80) and the Medplum base: restart it with
        # nginx's real port allowed too.
        service.terminate()
        service.wait()
        nginx_base = "http://127.0.0.1:%d/fhir" % nginx_port
        service = subprocess.Popen([os.path.join(BUILD, "hooks/app/ivig-cds"), "--port", str(port), "--threads", "2",
                                    "--audit-path", os.path.join(WORK, "audit.sqlite3"),
                                    "--fhir-allow", medplum_base, "--fhir-allow", nginx_base],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(service)
        bench_support.wait_port(port)
        bodies = [("full prefetch", order(prefetch=prefetch)),
                  ("no prefetch, fetched from nginx", order(fhir_server=nginx_base)),
                  ("no prefetch, fetched from the Medplum server", order(fhir_server=medplum_base))]
        for label, body in bodies:  # one call each first: a wrong answer is not a latency
            request = urllib.request.Request("http://127.0.0.1:%d/cds-services/ivig-order-select" % port,
                                             data=open(body, "rb").read(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    cards = json.loads(answer.read())["cards"]
                    print("%s: 200, %d cards: %s" % (label, len(cards), "; ".join(c["summary"] for c in cards)))
            except urllib.error.HTTPError as error:
                print("%s: %d %s" % (label, error.code, error.read().decode()[:1000]))
        print()
        print("## The FHIR fallback's added latency (wrk -t1, %s per cell; ivig-cds Release, audit on)\n" % DURATION)
        print("| data | conns | req/s | p50 ms | p99 ms | non-2xx | p50 added | p99 added |")
        print("|---|---|---|---|---|---|---|---|")
        for connections in (1, 8):
            base = None
            for label, body in bodies:
                rps, p50, p99, errors = wrk(port, body, connections)
                base = base or (p50, p99)
                print("| %s | %d | %.0f | %.2f | %.2f | %d | %+.2f ms | %+.2f ms |"
                      % (label, connections, rps, p50, p99, errors, p50 - base[0], p99 - base[1]))
    finally:
        bench_support.stop_all(procs)
        shutil.rmtree(WORK, ignore_errors=True)


main()
