# Unit tests on in-memory fakes; included from tests/CMakeLists.txt after castor_unit_tests exists.

# In-memory MetadataStore and BlobStore, a fake clock and deterministic ids, with fault injection.
add_library(castor_test_fakes STATIC
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_blob_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_bucket_repository.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_metadata_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_s3_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_s3_credential_repository.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_upload_repositories.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fakes/memory_usage_repository.cpp)
# Tests include these as "fakes/<name>.h".
target_include_directories(castor_test_fakes PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(castor_test_fakes PUBLIC castor_application PRIVATE OpenSSL::Crypto)

target_sources(castor_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/domain/value_objects_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/bundle_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/upload_session_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/s3_multipart_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/amz_date_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/sigv4_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/sigv4_property_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/aws_chunked_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/s3_credential_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/retention_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/uploads_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/s3_multipart_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/blobs_bundles_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/upload_object_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/inline_upload_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/s3_writes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/download_object_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/delete_object_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/update_object_metadata_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/json_text_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/object_metadata_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/manage_retention_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/list_objects_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/list_s3_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/buckets_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/bucket_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/authenticate_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/manage_api_keys_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/manage_s3_credentials_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/collect_garbage_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/objects/content_verifier_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/objects/move_storage_class_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/conditional_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/http_date_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/key_path_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/openapi_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/console_assets_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/check_integrity_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/scrub_content_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/application/periodic_task_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/request_params_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/router_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/s3_errors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api/s3_xml_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain/base64_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/infrastructure/aes_gcm_secret_box_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/infrastructure/checksum_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/infrastructure/libarchive_archiver_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/infrastructure/s3_blob_store_test.cpp)
# castor_infrastructure for the adapters tested here (the archiver checks its output with unzip and
# bsdtar, in a castor_test_support TempDir); OpenSSL for reference digests; pugixml to read back
# the S3 XML castor writes.
target_link_libraries(castor_unit_tests
  PRIVATE castor_test_fakes castor_api castor_infrastructure castor_test_support OpenSSL::Crypto
          pugixml::pugixml Boost::json)
# openapi_test.cpp reads the planned OpenAPI fragments (src/api/openapi/planned/) from the tree.
target_compile_definitions(castor_unit_tests PRIVATE CASTOR_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

# The S3 blob backend's client: URL escaping and S3's XML bodies (issue 13).
target_sources(castor_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/infrastructure/s3_request_url_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/infrastructure/s3_response_xml_test.cpp)
