// tests/support/fhir_test_server.hpp: where the tests' real FHIR server is (tests/fhir-server:
// Medplum's FHIR router over the Synthea records, with the token below required).
//
// tests/run.sh (and so CI) starts one for the whole run and exports IVIG_TEST_FHIR_URL; a test
// binary started by hand without it starts its own (about ten seconds: the records are loaded).
#pragma once

#include <string>

namespace ivig::test {

/// The bearer token the test FHIR server requires.
inline constexpr const char* test_fhir_token = "test-token-7c1e4b2a";

/// The test FHIR server's base URL ("http://127.0.0.1:P/fhir"), starting it if needed.
const std::string& test_fhir_server();

/// Isaiah Schaden's Patient id in the Synthea records.
inline constexpr const char* isaiah_patient_id = "0e61c3ad-d11e-4080-a6aa-cac89cae4e37";

}  // namespace ivig::test
