#pragma once
// What the fuzz targets share: an invariant check that libFuzzer reports as a crash.

#include <cstdio>
#include <cstdlib>

// Aborts (a crash libFuzzer records, with the input) when `condition` does not hold. Unlike
// assert, it stays on whatever the build type.
#define CASTOR_FUZZ_CHECK(condition)                                                              \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)
