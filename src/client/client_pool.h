#pragma once

#include <memory>
#include <vector>

#include "client/http_client.h"

namespace castor::client {

// One HttpClient (one keep-alive connection) per worker of run_parallel; worker i uses at(i).
class ClientPool {
 public:
  ClientPool(const HttpClientOptions& options, int workers) {
    for (int i = 0; i < (workers < 1 ? 1 : workers); ++i) {
      clients_.push_back(std::make_unique<HttpClient>(options));
    }
  }
  HttpClient& at(int worker) { return *clients_.at(static_cast<std::size_t>(worker)); }

 private:
  std::vector<std::unique_ptr<HttpClient>> clients_;
};

}  // namespace castor::client
