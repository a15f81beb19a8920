# tests/layering/expect_check_failure.cmake: runs the include check on a fixture tree that breaks its
# own layout.md and passes only if the check fails with exactly the lines in the fixture's expected.txt.
#
# This is the proof that the check can fail: a checker that always passed, lost its table or printed
# a vaguer message would fail this test. CMake's own "CMake Error at <script>:<line>" trailer is cut
# off before comparing, since its line number moves whenever the checker is edited.
#   cmake -DCHECKER=<check_layering.cmake> -DFIXTURE=<fixture tree> -P expect_check_failure.cmake
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${FIXTURE} -DLAYOUT=${FIXTURE}/layout.md -P ${CHECKER}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
string(FIND "${output}" "CMake Error at" trailer)
if(trailer GREATER_EQUAL 0)
  string(SUBSTRING "${output}" 0 ${trailer} output)
endif()
file(READ "${FIXTURE}/expected.txt" expected)

if(result EQUAL 0)
  message(FATAL_ERROR "the check passed on ${FIXTURE}, which has forbidden includes; it printed:\n${output}")
endif()
if(NOT output STREQUAL expected)
  message(FATAL_ERROR "the check failed with other lines than expected.\n--- expected\n${expected}--- actual\n${output}")
endif()
message(STATUS "the check failed on ${FIXTURE} as expected")
