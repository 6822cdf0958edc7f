# The fuzz targets and what they link, shared by the libFuzzer build (fuzz/CMakeLists.txt, clang)
# and the corpus replay of the ordinary build (tests/CMakeLists.txt: every seed of fuzz/corpus/
# through every target, as a ctest, so a regression on a known input fails scripts/test).

# The pure request-side code of src/api and the credential code of src/infrastructure, compiled
# on their own: the fuzz targets need neither the server's coroutines nor pqxx.
add_library(castor_fuzz_parsers STATIC
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/conditional.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/http_date.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/key_path.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/request_params.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/s3/s3_xml_request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/s3/xml_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/api/s3/xml_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/infrastructure/api_key_secrets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/infrastructure/jwt_verifier.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/infrastructure/openssl_hmac.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/infrastructure/openssl_sha256.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../src/infrastructure/system_services.cpp
  # The in-memory metadata store of the unit tests holds the API key the credentials target
  # authenticates against (with the repositories its transactions hand out).
  ${CMAKE_CURRENT_LIST_DIR}/../tests/fakes/memory_metadata_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../tests/fakes/memory_bucket_repository.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../tests/fakes/memory_s3_credential_repository.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../tests/fakes/memory_upload_repositories.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../tests/fakes/memory_usage_repository.cpp)
target_include_directories(castor_fuzz_parsers PUBLIC ${CMAKE_CURRENT_LIST_DIR}/../tests)
target_link_libraries(castor_fuzz_parsers
  PUBLIC castor_application Boost::headers Boost::json OpenSSL::Crypto PkgConfig::JWT
         pugixml::pugixml)

set(CASTOR_FUZZ_TARGETS http_request range_conditional names credentials sigv4 aws_chunked s3_xml
                        http_conditions
                        # presigned URLs (issue 14, helper "server")
                        presigned_url)
