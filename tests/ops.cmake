# Tests of operations: Prometheus metrics, process metrics, storage statistics, log formats, and
# the check of the deployment manifests (deploy/). Included at the end of the top-level
# CMakeLists.txt, after the libraries and test executables exist.

if(TARGET castor_unit_tests)
  target_sources(castor_unit_tests PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/api/prometheus_text_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/application/metrics_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/config_limits_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/fd_budget_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/logging_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/mime_types_file_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/process_metrics_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/storage_backends_test.cpp)
  target_link_libraries(castor_unit_tests PRIVATE castor_infrastructure spdlog::spdlog Boost::json)
endif()

if(TARGET castor_pg_tests)
  target_sources(castor_pg_tests PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/infrastructure/storage_stats_test.cpp)
  # The storage figures are checked as /metrics renders them (src/api/prometheus_text.h).
  target_link_libraries(castor_pg_tests PRIVATE castor_api)
endif()

if(CASTOR_BUILD_TESTS)
  # yamllint over deploy/, and the manifests checked against what castor reads and serves.
  add_test(NAME deploy COMMAND ${CMAKE_CURRENT_LIST_DIR}/deploy/check_manifests.sh)
endif()
