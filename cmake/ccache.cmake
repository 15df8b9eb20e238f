# Compiles through ccache when it is installed. Included by CMakeLists.txt and fuzz/CMakeLists.txt with
# TRIBUNE_TREE set to the repository's root.
#
# Without pch_defines,time_macros ccache caches nothing that uses GCC's precompiled header (nearly every file
# here); include_file_* keep a freshly built .gch from counting as "too new". base_dir and no hash_dir let
# another clone of the tree (CI's fresh one) use what this one compiled, debug info included.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER /usr/bin/env
    CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    CCACHE_BASEDIR=${TRIBUNE_TREE} CCACHE_NOHASHDIR=1 ${CCACHE_PROGRAM})
endif()
