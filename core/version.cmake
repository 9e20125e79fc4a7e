# Writes aidcsim_version.hpp at every build (not only at configure time), so that a results file's git_sha names
# the commit the binary was built from; "-dirty" marks a build with uncommitted changes to tracked files. The file
# is rewritten only when its text changes, so an unchanged revision recompiles nothing.
# Called as: cmake -DSOURCE_DIR=... -DIN=version.hpp.in -DOUT=.../aidcsim_version.hpp -DPROJECT_VERSION=... -P
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE AIDCSIM_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT AIDCSIM_GIT_SHA)
  set(AIDCSIM_GIT_SHA "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(changes)
    string(APPEND AIDCSIM_GIT_SHA "-dirty")
  endif()
endif()
configure_file(${IN} ${OUT}.new @ONLY)
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.new ${OUT})
file(REMOVE ${OUT}.new)
