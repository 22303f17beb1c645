# Helpers shared by every folder: one way to declare a library, a unit test,
# a fuzz target and an executable.

# sr_library(name SOURCES a.c b.c LINKS dep...)
function(sr_library name)
    cmake_parse_arguments(A "" "" "SOURCES;LINKS" ${ARGN})
    add_library(${name} STATIC ${A_SOURCES})
    target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${A_LINKS})
endfunction()

# sr_test(file_stem LINKS lib... [LABEL unit] [TIMEOUT s])
# Builds <stem>.c into a cmocka test named <folder>.<stem minus _test>.
function(sr_test stem)
    cmake_parse_arguments(A "" "LABEL;TIMEOUT" "LINKS;SOURCES" ${ARGN})
    if(NOT A_LABEL)
        set(A_LABEL unit)
    endif()
    if(NOT A_TIMEOUT)
        set(A_TIMEOUT 120)
    endif()
    get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
    string(REGEX REPLACE "_test$" "" short ${stem})
    add_executable(${stem} ${stem}.c ${A_SOURCES})
    set_target_properties(${stem} PROPERTIES
        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    target_link_libraries(${stem} PRIVATE ${A_LINKS} PkgConfig::CMOCKA)
    add_test(NAME ${folder}.${short} COMMAND ${stem}
             WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
    set_tests_properties(${folder}.${short} PROPERTIES
        LABELS ${A_LABEL} TIMEOUT ${A_TIMEOUT}
        ENVIRONMENT "SR_SOURCE_DIR=${CMAKE_SOURCE_DIR};SR_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()

# sr_fuzz(name SOURCES f.c LINKS lib...): a libFuzzer target, only with FUZZ=ON.
function(sr_fuzz name)
    cmake_parse_arguments(A "" "" "SOURCES;LINKS" ${ARGN})
    if(FUZZ)
        add_executable(${name} ${A_SOURCES})
        set_target_properties(${name} PROPERTIES
            RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
        target_link_libraries(${name} PRIVATE ${A_LINKS})
        target_link_options(${name} PRIVATE -fsanitize=fuzzer)
        # `cmake --build build-fuzz --target fuzzers` builds only these.
        if(NOT TARGET fuzzers)
            add_custom_target(fuzzers)
        endif()
        add_dependencies(fuzzers ${name})
    endif()
endfunction()
