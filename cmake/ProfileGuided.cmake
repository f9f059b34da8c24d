# Profile-guided optimization (GCC), in two builds of the same build directory:
#   -DPIXELWARDEN_PGO=generate -DPIXELWARDEN_PGO_DIR=DIR   instrumented build; run
#       tests/pgo/pw_pgo_train (built with it), which writes the profile into DIR;
#   -DPIXELWARDEN_PGO=use -DPIXELWARDEN_PGO_DIR=DIR        the build that ships.
# scripts/pgo-build and debian/rules run the three steps. What it buys and how it was
# measured: the top of docs/capacity.md.
set(PIXELWARDEN_PGO "" CACHE STRING "Profile-guided build: empty, generate or use (GCC only)")
set(PIXELWARDEN_PGO_DIR "" CACHE PATH "Directory of the profile (PIXELWARDEN_PGO)")
if(PIXELWARDEN_PGO)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "PIXELWARDEN_PGO needs GCC (its .gcda profile format)")
  endif()
  if(NOT PIXELWARDEN_PGO_DIR)
    message(FATAL_ERROR "PIXELWARDEN_PGO needs PIXELWARDEN_PGO_DIR")
  endif()
  if(PIXELWARDEN_SANITIZE OR PIXELWARDEN_TSAN OR PIXELWARDEN_FUZZ)
    message(FATAL_ERROR "PIXELWARDEN_PGO is for the optimized build, not with sanitizers")
  endif()
  # Link-time optimization in both builds (the instrumented one must see the same code
  # the profile is read into): whole-program inlining and layout put the functions one
  # message runs closer together. On the 49 KB newsletter it took 3-4% less CPU warm and
  # 6-10% less with the caches emptied, and the daemon's code shrank from 3.8 to 2.3 MB
  # (the top of docs/capacity.md).
  include(CheckIPOSupported)
  check_ipo_supported(RESULT _pw_ipo OUTPUT _pw_ipo_output LANGUAGES C CXX)
  if(NOT _pw_ipo)
    message(FATAL_ERROR "PIXELWARDEN_PGO builds with link-time optimization: ${_pw_ipo_output}")
  endif()
  set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
  if(PIXELWARDEN_PGO STREQUAL "generate")
    # atomic: the trainer is single-threaded, but the daemon's code is shared with it
    # and a profile must not be torn if a threaded program is ever trained.
    add_compile_options(-fprofile-generate=${PIXELWARDEN_PGO_DIR} -fprofile-update=atomic)
    add_link_options(-fprofile-generate=${PIXELWARDEN_PGO_DIR})
  elseif(PIXELWARDEN_PGO STREQUAL "use")
    # partial-training: code the trainer never ran (the CLI's other commands, error
    # paths) is optimized as without a profile instead of for size.
    add_compile_options(-fprofile-use=${PIXELWARDEN_PGO_DIR} -fprofile-partial-training
                        -Wno-missing-profile)
  else()
    message(FATAL_ERROR "PIXELWARDEN_PGO must be generate or use, not '${PIXELWARDEN_PGO}'")
  endif()
endif()
