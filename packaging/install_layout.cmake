# Runs at install time (install(SCRIPT) from packaging/CMakeLists.txt), when
# CMAKE_INSTALL_PREFIX is final: cpack sets it to /usr for the .deb, and
# `cmake --install build --prefix X` sets it to X. The files installed here
# are the ones whose place or content depends on that prefix, so the .deb
# gets Debian's layout whatever prefix the build tree was configured with.
#
#   prefix /usr:  /lib/systemd/system/hostwatch.service, /etc/hostwatch/hostwatch.yml, /etc/default/hostwatch,
#                 /var/lib/prometheus/node-exporter/ (the textfile directory)
#   prefix X:     X/lib/systemd/system/..., X/etc/hostwatch/..., X/etc/default/..., X/var/lib/prometheus/...,
#                 the unit passes --config.file because the agent's default is /etc, and the
#                 configuration names X's textfile directory.
#
# Input: HOSTWATCH_PACKAGING_DIR (packaging/ in the source tree) and
# HOSTWATCH_PACKAGING_BINARY_DIR (scratch space), set by install(CODE).

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_etc "/etc")
  set(_var "/var")
  set(_unitdir "/lib/systemd/system")  # Debian 12: units stay in /lib (usr-merge moratorium)
else()
  set(_etc "${CMAKE_INSTALL_PREFIX}/etc")
  set(_var "${CMAKE_INSTALL_PREFIX}/var")
  set(_unitdir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()

set(_exec "${CMAKE_INSTALL_PREFIX}/bin/hostwatch")
if(NOT _etc STREQUAL "/etc")
  string(APPEND _exec " --config.file=${_etc}/hostwatch/hostwatch.yml")
endif()
file(READ "${HOSTWATCH_PACKAGING_DIR}/hostwatch.service" _unit)
string(REPLACE "ExecStart=/usr/bin/hostwatch" "ExecStart=${_exec}" _unit "${_unit}")
string(REPLACE "EnvironmentFile=-/etc/default/hostwatch" "EnvironmentFile=-${_etc}/default/hostwatch" _unit "${_unit}")
file(WRITE "${HOSTWATCH_PACKAGING_BINARY_DIR}/unit/hostwatch.service" "${_unit}")

file(INSTALL DESTINATION "${_unitdir}" TYPE FILE FILES "${HOSTWATCH_PACKAGING_BINARY_DIR}/unit/hostwatch.service")
# Configuration files are the administrator's once installed: a repeated
# source install keeps them (the .deb's conffile handling does the same for
# packages; cpack always stages into an empty directory).
function(hostwatch_install_config dir name source)
  if(EXISTS "$ENV{DESTDIR}${dir}/${name}")
    message(STATUS "Keeping existing: $ENV{DESTDIR}${dir}/${name}")
    return()
  endif()
  # 0600 for the defaults file: it may hold credentials that the config
  # references as ${VAR}, and only systemd (root) reads it.
  if(name STREQUAL "hostwatch" AND dir MATCHES "/default$")
    set(perms OWNER_READ OWNER_WRITE)
  else()
    set(perms OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
  file(INSTALL DESTINATION "${dir}" TYPE FILE RENAME "${name}" PERMISSIONS ${perms} FILES "${source}")
endfunction()
# The configuration file holds comments only (every key has a built-in default), so a new
# version never changes it and dpkg never asks about an edited copy; the full reference,
# hostwatch.yml, goes to /usr/share/doc/hostwatch/examples/ (packaging/CMakeLists.txt).
# The textfile directory of Debian's prometheus-node-exporter, which that package and
# prometheus-node-exporter-collectors also ship: dpkg lets packages share a directory, so the
# configuration can name it whether or not they are installed (a missing directory would be a
# textfile scrape error on every scrape).
set(_textfile_dir "${_var}/lib/prometheus/node-exporter")
file(MAKE_DIRECTORY "$ENV{DESTDIR}${_textfile_dir}")
file(READ "${HOSTWATCH_PACKAGING_DIR}/hostwatch-conffile.yml" _conf)
string(REPLACE "directory: /var/lib/prometheus/node-exporter" "directory: ${_textfile_dir}" _conf "${_conf}")
file(WRITE "${HOSTWATCH_PACKAGING_BINARY_DIR}/conf/hostwatch.yml" "${_conf}")
hostwatch_install_config("${_etc}/hostwatch" hostwatch.yml "${HOSTWATCH_PACKAGING_BINARY_DIR}/conf/hostwatch.yml")
hostwatch_install_config("${_etc}/default" hostwatch "${HOSTWATCH_PACKAGING_DIR}/hostwatch.default")
