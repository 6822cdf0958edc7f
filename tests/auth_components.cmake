# Authentication components: JWT verification (libjwt), API key material, rate limiting.
# Included from the top-level CMakeLists.txt after castor_application, castor_infrastructure and
# castor_unit_tests exist. Paths are absolute, so this works from any directory.

find_package(PkgConfig REQUIRED)
pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt)

target_sources(castor_application PRIVATE
  ${CMAKE_SOURCE_DIR}/src/application/rate_limiter.cpp)

target_sources(castor_infrastructure PRIVATE
  ${CMAKE_SOURCE_DIR}/src/infrastructure/api_key_secrets.cpp
  ${CMAKE_SOURCE_DIR}/src/infrastructure/jwt_verifier.cpp)
# PUBLIC: the tests mint tokens with libjwt, and static castor_infrastructure needs -ljwt at link.
# OpenSSL::Crypto is also needed by these sources; castor_infrastructure already links it
# PRIVATE, which for a static library still propagates to the link line.
target_link_libraries(castor_infrastructure PUBLIC PkgConfig::JWT)

if(TARGET castor_unit_tests)
  target_sources(castor_unit_tests PRIVATE
    ${CMAKE_SOURCE_DIR}/tests/application/rate_limiter_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/infrastructure/api_key_secrets_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/infrastructure/jwt_verifier_test.cpp)
  # The tests build keys and tokens with OpenSSL directly.
  target_link_libraries(castor_unit_tests PRIVATE castor_infrastructure OpenSSL::Crypto)
endif()
