#pragma once

#include <cstdint>

#include "client/config.h"
#include "client/http_client.h"
#include "client/progress.h"

namespace castor::client {

// What every command runs with: the resolved configuration and the output switches.
struct Context {
  Config config;
  bool json = false;     // print one JSON document on stdout instead of text
  bool quiet = false;    // plain progress lines even on a terminal
  bool verbose = false;  // one stderr line per request (never headers, never the key)
  RetryPolicy retry;
  std::uint64_t max_send_rate = 0;  // bytes/s per connection, 0: unlimited (HttpClientOptions)

  HttpClientOptions http_options() const {
    return {.base_url = config.url,
            .api_key = config.api_key,
            .retry = retry,
            .verbose = verbose,
            .max_send_rate = max_send_rate};
  }
  ProgressStyle style() const { return progress_style(quiet); }
};

}  // namespace castor::client
