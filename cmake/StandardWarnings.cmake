# Warnings every target of the project gets. The code builds clean with them.
add_library(pixelwarden_warnings INTERFACE)
target_compile_options(pixelwarden_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
