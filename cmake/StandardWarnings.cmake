# Warnings every target of the project gets. The code builds clean with them, with GCC 12
# and Clang 14; -DPIXELWARDEN_WERROR=ON (presets werror, clang-werror; CI) keeps it so.
option(PIXELWARDEN_WERROR "Treat the project's warnings as errors" OFF)
add_library(pixelwarden_warnings INTERFACE)
target_compile_options(pixelwarden_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
  $<$<BOOL:${PIXELWARDEN_WERROR}>:-Werror>)
