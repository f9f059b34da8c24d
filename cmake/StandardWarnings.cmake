# Warnings every target of the project gets. The code builds clean with them, with GCC 12
# and Clang 14; -DPIXELWARDEN_WERROR=ON (presets werror, clang-werror; CI) keeps it so.
option(PIXELWARDEN_WERROR "Treat the project's warnings as errors" OFF)
add_library(pixelwarden_warnings INTERFACE)
target_compile_options(pixelwarden_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
  $<$<BOOL:${PIXELWARDEN_WERROR}>:-Werror>)
# GCC 12's -Wrestrict fires inside libstdc++ on `"literal" + std::string` once inlined
# (GCC bug 105651, fixed in GCC 13), and -Wmaybe-uninitialized on assigning a literal to
# a default-constructed std::optional<std::string> member: false positives on correct
# code, so both are off for GCC < 13.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(pixelwarden_warnings INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
