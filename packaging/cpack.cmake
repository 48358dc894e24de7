# CPack: `cpack -G DEB` (or `cmake --build build --target package`) in the build
# directory turns the install rules into hostwatch_<version>_<arch>.deb.
# Included from the top-level CMakeLists.txt after every install() rule.

set(CPACK_GENERATOR "DEB" CACHE STRING "CPack generators")
set(CPACK_PACKAGE_NAME "hostwatch")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "hostwatch")
set(CPACK_PACKAGE_CONTACT "hostwatch maintainers <hostwatch-maintainers@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "host metrics and HTTP synthetic checks agent for Prometheus")
set(CPACK_PACKAGE_DESCRIPTION
    "hostwatch serves node_exporter-compatible host metrics and\nblackbox_exporter-compatible HTTP check results on one\nHTTP endpoint for Prometheus to scrape. The package runs it as the\nunprivileged hostwatch user under a hardened systemd unit.")
# Debian's layout whatever prefix the tree was configured with: every
# install rule is relative to the prefix or decided at install time
# (packaging/install_layout.cmake).
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/" "/\\\\.git/")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # hostwatch_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Library dependencies come from dpkg-shlibdeps on the stripped binary;
# adduser is for the postinst, which creates the system user. libcurl4 is
# named here because the agent dlopen()s libcurl.so.4 when the first HTTP
# check needs it (collectors/core/curl_api.h), so dpkg-shlibdeps cannot see
# it; 7.88 is the version we build against (CURLU_PUNYCODE, PROTOCOLS_STR),
# and libcurl4 is the OpenSSL flavour whose SSL* the TLS facts read.
# libsystemd0 likewise: loaded only under systemd (agent/systemd_notify.cpp).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libcurl4 (>= 7.88.0), libsystemd0")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/conffiles"
    "${CMAKE_SOURCE_DIR}/packaging/debian/postinst"
    "${CMAKE_SOURCE_DIR}/packaging/debian/prerm"
    "${CMAKE_SOURCE_DIR}/packaging/debian/postrm")
# Scripts 0755, conffiles 0644 in the control archive, as dpkg expects.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
