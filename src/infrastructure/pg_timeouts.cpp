#include "infrastructure/pg_timeouts.h"

#include <libpq-fe.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace castor {

std::string with_connection_timeouts(const std::string& url, const PgTimeouts& timeouts) {
  std::set<std::string> given;
  char* error = nullptr;
  if (PQconninfoOption* options = PQconninfoParse(url.c_str(), &error)) {
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (o->val != nullptr) {
        given.insert(o->keyword);
      }
    }
    PQconninfoFree(options);
  } else {
    PQfreemem(error);
    return url;  // libpq will report what is wrong with it when it connects
  }
  const long long connect = std::max<long long>(2, timeouts.connect_timeout.count());
  // A connection whose peer stops acknowledging data is dropped after the client deadline; an idle
  // one is probed every few seconds. (Both apply to TCP connections only.)
  const long long user_timeout_ms = timeouts.client_deadline().count();
  const std::vector<std::pair<std::string, std::string>> wanted = {
      {"connect_timeout", std::to_string(connect)},
      {"keepalives", "1"},
      {"keepalives_idle", std::to_string(connect)},
      {"keepalives_interval", "1"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", std::to_string(user_timeout_ms)},
  };
  const bool uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
  std::string out = url;
  bool has_query = out.find('?') != std::string::npos;
  for (const auto& [key, value] : wanted) {
    if (given.contains(key)) {
      continue;
    }
    if (uri) {
      out += has_query ? "&" : "?";
      has_query = true;
    } else if (!out.empty()) {
      out += " ";
    }
    out += key + "=" + value;
  }
  return out;
}

}  // namespace castor
