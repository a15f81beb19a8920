// tests/support/step_fault_fhir_server.hpp: a FHIR server (a fake: its only use is injecting a fault)
// on 127.0.0.1:0 that answers every request with one resource or Bundle, or fails at one step of the
// exchange: the fault matrix's server (tests/integration/fhir_fault_matrix_test.cpp).
//
// Unlike fault_fhir_server.hpp, whose fault is chosen by the request's path, the fault here is the
// server's, because some steps fail before any request is read. The steps before a connection
// exists (nothing listening, a TLS peer that is not one) need no server of this kind: see the test.
#pragma once

#include <atomic>
#include <memory>
#include <string>

namespace ivig::test {

enum class fhir_step_fault {
  none,               ///< every request answered 200 with the body
  http_500,           ///< answered 500 with an OperationOutcome: the reference failure
  close_unread,       ///< the connection closed (FIN) before the request is read
  stall_before_head,  ///< the request read, then nothing, until the client gives up
  reset_before_head,  ///< the request read, then the connection reset (RST) before any byte
  reset_mid_body,     ///< the head and half the body (of Content-Length), then reset
  truncated_body,     ///< the head and half the body (of Content-Length), then closed (FIN)
  paged,              ///< a Bundle body answered in two pages: the first links to the second
  page2_500,          ///< the first page answered, the second answered 500
  page2_reset,        ///< the first page answered, the second reset before any byte
};

/// The step's name as the matrix prints it.
const char* fhir_step_fault_name(fhir_step_fault fault);

class step_fault_fhir_server {
 public:
  /// `body`: what a healthy request is answered (a Patient, or a searchset Bundle).
  step_fault_fhir_server(fhir_step_fault fault, std::string body);
  ~step_fault_fhir_server();
  step_fault_fhir_server(const step_fault_fhir_server&) = delete;
  step_fault_fhir_server& operator=(const step_fault_fhir_server&) = delete;

  /// "http://127.0.0.1:P/fhir"
  std::string base() const;
  unsigned short port() const;
  /// Requests read so far (each page counts).
  int requests() const { return requests_.load(); }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::atomic<int> requests_{0};
};

}  // namespace ivig::test
