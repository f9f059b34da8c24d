# Every dependency comes from Debian 12 packages, found with find_package or pkg-config.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# libhs comes from Hyperscan (libhyperscan-dev) or Vectorscan (libvectorscan-dev);
# both ship libhs.pc with the same API.
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
pkg_check_modules(MILTER REQUIRED IMPORTED_TARGET milter)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(prometheus-cpp REQUIRED COMPONENTS core)
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(ZLIB REQUIRED)
# scan's IMAP source: connection, TLS and authentication (libcurl4-openssl-dev).
find_package(CURL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)  # threat-intel import (MISP)
find_package(simdjson 3 REQUIRED)        # threat-intel import (STIX bundles of millions of objects)
find_library(CIVETWEB_LIB NAMES civetweb REQUIRED)
find_library(CIVETWEB_CPP_LIB NAMES civetweb-cpp)
find_path(CIVETWEB_INCLUDE civetweb.h REQUIRED)
if(PIXELWARDEN_TESTS)
  find_package(doctest REQUIRED)
endif()
