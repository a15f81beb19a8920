# cmake/layout_table.cmake: reads the folder table of docs/layout.md, the one place the layering is written.
#
# Owns the parsing of that table so that the build (staged include roots, link check) and the include
# check test (cmake/check_layering.cmake) read the same rules and cannot drift from the document.
# The table's header row is `| folder | library | what lives there | may use |`. In "may use", a
# backquoted path with a `/` is a project dependency: a folder (`rules/engine/`) or one header
# (`hooks/server/request_handler.hpp`); plain words are third-party libraries, which the link lists
# enforce. A "may use" that starts with "everything" or "all" allows any folder. Works in script mode.

# ivig_read_lines(<file> <out>): the lines of <file> as a CMake list, one element per line (empty lines
# kept, so the index is the line number - 1). CMake lists split on ';', group by '[' ']' and escape with
# '\', so those four characters are stored encoded; ivig_decode_line(<var>) restores one line.
function(ivig_read_lines file out)
  file(READ "${file}" text)
  string(REPLACE "\\" "<ivig-backslash>" text "${text}")
  string(REPLACE ";" "<ivig-semicolon>" text "${text}")
  string(REPLACE "[" "<ivig-lbracket>" text "${text}")
  string(REPLACE "]" "<ivig-rbracket>" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

macro(ivig_decode_line var)
  string(REPLACE "<ivig-semicolon>" ";" ${var} "${${var}}")
  string(REPLACE "<ivig-lbracket>" "[" ${var} "${${var}}")
  string(REPLACE "<ivig-rbracket>" "]" ${var} "${${var}}")
  string(REPLACE "<ivig-backslash>" "\\" ${var} "${${var}}")
endmacro()

# ivig_read_layout_table(<layout.md> <prefix>) sets, in the caller's scope:
#   <prefix>_FOLDERS            the table's folders, each with a trailing slash ("fhir/model/")
#   <prefix>_LIBRARY_<folder>   the folder's CMake library, or empty ("—" in the table)
#   <prefix>_USES_<folder>      the project paths it may include, or "*" for any
#   <prefix>_USES_TEXT_<folder> the "may use" cell as written, for messages
function(ivig_read_layout_table layout prefix)
  if(NOT EXISTS "${layout}")
    message(FATAL_ERROR "layering: ${layout} does not exist")
  endif()
  ivig_read_lines("${layout}" lines)
  set(in_table FALSE)
  set(folders "")
  foreach(line IN LISTS lines)
    ivig_decode_line(line)
    if(in_table AND NOT line MATCHES "^\\|")
      break()  # the table ends at its first non-row line
    endif()
    if(line MATCHES "^\\| *folder *\\| *library *\\| *what lives there *\\| *may use *\\|")
      set(in_table TRUE)
      continue()
    endif()
    if(NOT in_table OR line MATCHES "^\\|[- |]*$")
      continue()
    endif()
    if(NOT line MATCHES "^\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|")
      continue()
    endif()
    set(folder_cell "${CMAKE_MATCH_1}")
    set(library_cell "${CMAKE_MATCH_2}")
    set(uses_cell "${CMAKE_MATCH_4}")
    string(REGEX REPLACE "[` ]" "" folder "${folder_cell}")
    if(NOT folder MATCHES "/$")
      message(FATAL_ERROR "layering: ${layout}: folder `${folder}` must end with '/'")
    endif()
    string(REGEX REPLACE "[` ]" "" library "${library_cell}")
    if(NOT library MATCHES "^[A-Za-z0-9_-]+$")
      set(library "")
    endif()
    string(STRIP "${uses_cell}" uses_text)
    if(uses_text MATCHES "^(everything|all)([^a-z]|$)")
      set(uses "*")
    else()
      string(REGEX MATCHALL "`[^`]*/[^`]*`" uses "${uses_text}")
      string(REPLACE "`" "" uses "${uses}")
    endif()
    list(APPEND folders "${folder}")
    set(${prefix}_LIBRARY_${folder} "${library}" PARENT_SCOPE)
    set(${prefix}_USES_${folder} "${uses}" PARENT_SCOPE)
    set(${prefix}_USES_TEXT_${folder} "${uses_text}" PARENT_SCOPE)
  endforeach()
  if(NOT folders)
    message(FATAL_ERROR "layering: no `| folder | library | what lives there | may use |` table in ${layout}")
  endif()
  set(${prefix}_FOLDERS "${folders}" PARENT_SCOPE)
endfunction()

# ivig_layout_folder_of(<prefix> <path> <out>): the table folder that holds <path> (the longest
# folder that is a prefix of it), or empty when no row covers it.
function(ivig_layout_folder_of prefix path out)
  set(best "")
  string(LENGTH "${best}" best_length)
  foreach(folder IN LISTS ${prefix}_FOLDERS)
    string(LENGTH "${folder}" length)
    string(SUBSTRING "${path}" 0 ${length} head)
    if(head STREQUAL folder AND length GREATER best_length)
      set(best "${folder}")
      set(best_length ${length})
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

# ivig_layout_allows(<prefix> <folder> <path> <out>): TRUE when code in <folder> may include <path>
# (its own folder, a listed folder, a listed header, or everything).
function(ivig_layout_allows prefix folder path out)
  set(allowed FALSE)
  set(uses "${${prefix}_USES_${folder}}")
  ivig_layout_folder_of(${prefix} "${path}" target_folder)
  if(uses STREQUAL "*" OR target_folder STREQUAL folder)
    set(allowed TRUE)
  else()
    foreach(use IN LISTS uses)
      if(use STREQUAL path OR (use MATCHES "/$" AND use STREQUAL target_folder))
        set(allowed TRUE)
      endif()
    endforeach()
  endif()
  set(${out} ${allowed} PARENT_SCOPE)
endfunction()
