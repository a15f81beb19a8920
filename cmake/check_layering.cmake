# cmake/check_layering.cmake: fails when a source file includes a project header its folder may not use.
#
# Scans every `#include "…"` in the source folders (fhir/, rules/, hooks/) and checks the included
# path against the "may use" column of docs/layout.md (parsed by cmake/layout_table.cmake, so the
# document is the only copy of the rules). The staged include roots make most forbidden includes fail
# to compile; this check also catches the ones the link graph lets through (a folder reachable only
# transitively, or a header-only include) and a folder that has no row in the table. Each violation is
# printed as `<file>:<line>: …` relative to ROOT. Run by CTest (tests/layering); plain CMake, so CI
# needs nothing extra:
#   cmake -DROOT=<source tree> [-DLAYOUT=<layout.md>] [-DSCAN="fhir;rules;hooks"] -P check_layering.cmake
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/layout_table.cmake")

if(NOT ROOT)
  message(FATAL_ERROR "check_layering: pass -DROOT=<source tree>")
endif()
if(NOT LAYOUT)
  set(LAYOUT "${ROOT}/docs/layout.md")
endif()
if(NOT SCAN)
  set(SCAN fhir rules hooks)
endif()

ivig_read_layout_table("${LAYOUT}" layout)
file(RELATIVE_PATH layout_name "${ROOT}" "${LAYOUT}")  # messages name paths relative to ROOT

set(problems 0)
set(files "")
foreach(top IN LISTS SCAN)
  file(GLOB_RECURSE found RELATIVE "${ROOT}" "${ROOT}/${top}/*.hpp" "${ROOT}/${top}/*.cpp" "${ROOT}/${top}/*.h")
  list(APPEND files ${found})
endforeach()
list(SORT files)

foreach(file IN LISTS files)
  ivig_layout_folder_of(layout "${file}" folder)
  if(folder STREQUAL "")
    message(NOTICE "${file}: its folder has no row in the table of ${layout_name}")
    math(EXPR problems "${problems} + 1")
    continue()
  endif()
  ivig_read_lines("${ROOT}/${file}" lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\"")
      continue()
    endif()
    set(included "${CMAKE_MATCH_1}")
    ivig_decode_line(included)
    if(included MATCHES "(^|/)\\.\\.?/")
      set(reason "is not root-relative")
    elseif(NOT included MATCHES "/")
      continue()  # a bare name is found beside the including file: its own folder
    else()
      ivig_layout_allows(layout "${folder}" "${included}" allowed)
      if(allowed)
        continue()
      endif()
      set(reason "is not allowed: ${folder} may use ${layout_USES_TEXT_${folder}}")
    endif()
    message(NOTICE "${file}:${number}: #include \"${included}\" ${reason}")
    math(EXPR problems "${problems} + 1")
  endforeach()
endforeach()

if(problems GREATER 0)
  message(NOTICE "${problems} layering violation(s): fix the include, or change the table in ${layout_name} (a design decision)")
  message(FATAL_ERROR "check_layering failed")
endif()
list(LENGTH files count)
message(STATUS "check_layering: ${count} files follow ${layout_name}")
