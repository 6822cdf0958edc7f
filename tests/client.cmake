# castorctl's pure parts (configuration, excludes, path safety, retry policy, progress, sizes,
# Merkle root, part layout, upload-session choice, push batches), and its SessionUploader and push
# pipeline against an in-memory server over real HTTP; included from tests/CMakeLists.txt after
# castor_unit_tests exists.
target_sources(castor_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/client/config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/exclude_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/fake_upload_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/merkle_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/part_layout_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/path_safety_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/progress_format_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/push_batches_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/push_pipeline_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/retry_policy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/session_uploader_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client/upload_session_test.cpp)
target_link_libraries(castor_unit_tests PRIVATE castor_client Boost::headers Threads::Threads)
