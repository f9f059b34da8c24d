# Use ccache when it is installed: rebuilds on CI and in development get much cheaper.
find_program(PIXELWARDEN_CCACHE ccache)
if(PIXELWARDEN_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER "${PIXELWARDEN_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${PIXELWARDEN_CCACHE}")
endif()
