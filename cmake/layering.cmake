# cmake/layering.cmake: the layering of docs/layout.md, applied to the build.
#
# Owns the staged include roots (each library exposes only its own folder, so a target sees only the
# folders of what it links) and the configure-time check that each library links only what its row's
# "may use" column allows. The table is parsed by cmake/layout_table.cmake, which the include check
# test (cmake/check_layering.cmake) shares. Included by the top-level CMakeLists.txt.
include("${CMAKE_CURRENT_LIST_DIR}/layout_table.cmake")
if(NOT IVIG_LAYOUT_FILE)
  set(IVIG_LAYOUT_FILE "${PROJECT_SOURCE_DIR}/docs/layout.md")  # another table only in tests/layering
endif()
file(RELATIVE_PATH IVIG_LAYOUT_NAME "${PROJECT_SOURCE_DIR}" "${IVIG_LAYOUT_FILE}")
ivig_read_layout_table("${IVIG_LAYOUT_FILE}" IVIG_LAYOUT)
set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${IVIG_LAYOUT_FILE}")

# ivig_stage_includes(<target> <folder> [FILES <header>...]): makes <folder> (a source folder such as
# rules/engine) visible to <target> and to whatever links it, and nothing else of the source tree.
# Headers are included by root-relative paths, so the source root itself cannot be an include
# directory (it would expose every folder); instead build/include/<target>/<folder> is a symbolic
# link to the source folder, made at configure time, and build/include/<target> is the include
# directory: PUBLIC for a library, INTERFACE for an INTERFACE library, PRIVATE for an executable.
# With FILES, only those headers of <folder> are linked (a header-only interface).
function(ivig_stage_includes target folder)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "FILES")
  get_target_property(type ${target} TYPE)
  set(expected "${IVIG_LAYOUT_LIBRARY_${folder}/}")
  if(NOT arg_FILES AND NOT type STREQUAL "INTERFACE_LIBRARY" AND NOT expected STREQUAL "")
    if(NOT expected STREQUAL target)
      message(FATAL_ERROR "${IVIG_LAYOUT_NAME} says ${folder}/ is library '${expected}', not '${target}'")
    endif()
  endif()
  set(root "${CMAKE_BINARY_DIR}/include/${target}")
  file(REMOVE_RECURSE "${root}")  # drops links of an earlier configure; never follows them
  if(arg_FILES)
    file(MAKE_DIRECTORY "${root}/${folder}")
    foreach(header IN LISTS arg_FILES)
      file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}/${header}" "${root}/${folder}/${header}" SYMBOLIC)
    endforeach()
    list(TRANSFORM arg_FILES PREPEND "${folder}/" OUTPUT_VARIABLE staged)
  else()
    get_filename_component(parent "${root}/${folder}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}" "${root}/${folder}" SYMBOLIC)
    set(staged "${folder}/")
  endif()
  set_property(TARGET ${target} PROPERTY IVIG_STAGED "${staged}")
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE "${root}")
  elseif(type STREQUAL "EXECUTABLE")
    target_include_directories(${target} PRIVATE "${root}")
  else()
    target_include_directories(${target} PUBLIC "${root}")
  endif()
endfunction()

# ivig_check_link_layering(): fails the configure when a library of docs/layout.md links a project
# library whose staged folder or headers its "may use" column does not list. Third-party links are
# not checked here (the table names them in prose); the include check test covers the sources.
function(ivig_check_link_layering)
  foreach(folder IN LISTS IVIG_LAYOUT_FOLDERS)
    set(library "${IVIG_LAYOUT_LIBRARY_${folder}}")
    if(library STREQUAL "" OR NOT TARGET ${library})
      continue()
    endif()
    get_target_property(links ${library} LINK_LIBRARIES)
    get_target_property(interface_links ${library} INTERFACE_LINK_LIBRARIES)
    foreach(link IN LISTS links interface_links)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      if(NOT TARGET "${link}")
        continue()
      endif()
      get_target_property(staged ${link} IVIG_STAGED)
      if(NOT staged)
        continue()  # a third-party target
      endif()
      foreach(path IN LISTS staged)
        # A staged folder is checked as any header in it; a staged header as itself.
        string(REGEX REPLACE "/$" "/any.hpp" header "${path}")
        ivig_layout_allows(IVIG_LAYOUT "${folder}" "${header}" allowed)
        if(NOT allowed)
          message(FATAL_ERROR "${library} links ${link} (${path}), which ${IVIG_LAYOUT_NAME} does not let ${folder} use")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()
