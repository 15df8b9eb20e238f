# tribune_unity(TARGET): compiles TARGET's .cpp files from the tree eight to a translation unit, so that the
# headers' templates (Asio, Beast, Boost.JSON, GoogleTest) are instantiated and optimised once per eight files
# rather than once per file: a whole build takes a third of the time. On when TRIBUNE_UNITY is (scripts/test.sh
# and scripts/demo.sh turn it on; an edit recompiles its file's seven neighbours, so it is off by default).
#
# CMake's own unity builds (CMAKE_UNITY_BUILD) would do, but their files #include each source by its absolute
# path, so a clone of the tree elsewhere (CI's fresh one) never hits ccache. These include each file by its path
# in the tree ("src/http/server.cpp", found through the tree's root on the include path), and ccache's base_dir
# (cmake/ccache.cmake) makes the rest of the command line the same in every clone.
#
# Files with compile definitions of their own, and files outside the tree (generated ones), stay on their own.
function(tribune_unity target)
  if(NOT TRIBUNE_UNITY)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  get_target_property(target_dir ${target} SOURCE_DIR)
  set(batch "")
  set(count 0)
  set(index 0)
  set(generated "")
  list(APPEND sources "")  # flushes the last batch
  foreach(source IN LISTS sources)
    set(take FALSE)
    if(source MATCHES "\\.cpp$")
      get_filename_component(path ${source} ABSOLUTE BASE_DIR ${target_dir})
      file(RELATIVE_PATH relative ${TRIBUNE_TREE} ${path})
      get_source_file_property(own_definitions ${source} COMPILE_DEFINITIONS)
      if(NOT relative MATCHES "^\\.\\./" AND NOT own_definitions)
        set(take TRUE)
      endif()
    endif()
    if(take)
      string(APPEND batch "#include \"${relative}\"\n")
      set_source_files_properties(${source} PROPERTIES HEADER_FILE_ONLY ON)
      math(EXPR count "${count} + 1")
    endif()
    if(count EQUAL 8 OR (source STREQUAL "" AND count GREATER 0))
      set(file ${CMAKE_BINARY_DIR}/unity/${target}_${index}.cpp)
      # Written only when it changes, so that configuring again recompiles nothing.
      file(CONFIGURE OUTPUT ${file} CONTENT "${batch}" @ONLY)
      list(APPEND generated ${file})
      math(EXPR index "${index} + 1")
      set(batch "")
      set(count 0)
    endif()
  endforeach()
  target_sources(${target} PRIVATE ${generated})
  target_include_directories(${target} PRIVATE ${TRIBUNE_TREE})
  # A file's anonymous-namespace types used by its test fixtures are "in another file" once files are batched.
  target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
endfunction()
