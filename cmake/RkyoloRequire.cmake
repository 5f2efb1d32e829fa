# rkyolo_require(<Package> <debian-package> [find_package arguments...])
# find_package() that fails with one sentence naming the Debian 12 package
# to install, instead of CMake's generic "could not find a package
# configuration file" (scripts/install-deps.sh installs every one of them).
macro(rkyolo_require package debian_package)
  find_package(${package} ${ARGN} QUIET)
  if(NOT ${package}_FOUND)
    string(REPLACE ";" " " _rkyolo_require_args "${ARGN}")
    message(FATAL_ERROR "rkyolo needs ${package} ${_rkyolo_require_args}, which was not found: "
      "on Debian 12 install the package '${debian_package}' (bash scripts/install-deps.sh installs "
      "everything the build needs).")
  endif()
endmacro()
