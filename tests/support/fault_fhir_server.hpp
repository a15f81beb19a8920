// tests/support/fault_fhir_server.hpp: a FHIR server that misbehaves on purpose (a fake: its only
// use is injecting the faults a real EHR's server shows), on 127.0.0.1:0.
//
// The first path segment picks the fault, so one server serves every case: fhirServer
// "http://127.0.0.1:P/<fault>". A Patient read ("<fault>/Patient/<id>") answers that Patient,
// so that the call goes on to its other data, unless the fault's name starts with "patient-"; every
// other request gets the fault. Faults: ok (empty searchsets), slow (never answers), drip (one byte
// every 50 ms, forever), 401, 403, 404, 500, outcome (an OperationOutcome with status 200),
// malformed (cut-off JSON), html (an HTML error page, status 200), wrong-type (JSON as text/plain),
// huge (a 2 MB searchset), reset (the connection closed unanswered), endless (each page links to a
// next one), redirect (302 to a cloud metadata address), other-patient (a Condition of another
// patient), and patient-slow, patient-404.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace ivig::test {

class fault_fhir_server {
 public:
  fault_fhir_server();
  /// Closes the listener and every open connection, and joins their threads.
  ~fault_fhir_server();
  fault_fhir_server(const fault_fhir_server&) = delete;
  fault_fhir_server& operator=(const fault_fhir_server&) = delete;

  /// "http://127.0.0.1:P/<fault>"
  std::string base(const std::string& fault) const;
  unsigned short port() const { return port_; }
  /// Requests received so far (each page and each read counts).
  int requests() const { return requests_.load(); }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  unsigned short port_ = 0;
  std::atomic<int> requests_{0};
};

}  // namespace ivig::test
