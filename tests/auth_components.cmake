# Tests of the authentication components: JWT verification (libjwt), API key material, rate
# limiting. Included from the top-level CMakeLists.txt after castor_unit_tests exists.

if(TARGET castor_unit_tests)
  target_sources(castor_unit_tests PRIVATE
    ${CMAKE_SOURCE_DIR}/tests/application/rate_limiter_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/infrastructure/api_key_secrets_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/infrastructure/jwt_verifier_test.cpp)
  # The tests build keys and tokens with OpenSSL and libjwt directly.
  target_link_libraries(castor_unit_tests PRIVATE castor_infrastructure OpenSSL::Crypto
                                                  PkgConfig::JWT)
endif()
