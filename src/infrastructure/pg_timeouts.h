#pragma once

#include <chrono>
#include <string>

namespace castor {

// Deadlines on every conversation with PostgreSQL, so that a database that stops answering turns
// into prompt Unavailable errors instead of threads blocked for as long as TCP cares to wait.
struct PgTimeouts {
  // Server side: the session's statement_timeout. Client side: a call to the server that has not
  // answered after statement_timeout + kClientGrace has its socket shut down (the database is
  // taken to be hung: a paused process, a blackholed network).
  std::chrono::milliseconds statement_timeout{5000};
  // Longest wait for a free pooled connection.
  std::chrono::milliseconds acquire_timeout{5000};
  // libpq connect_timeout (whole seconds, at least 2 as libpq demands); also the TCP keepalive
  // and tcp_user_timeout budget of the connection.
  std::chrono::seconds connect_timeout{5};

  static constexpr std::chrono::milliseconds kClientGrace{1000};
  std::chrono::milliseconds client_deadline() const { return statement_timeout + kClientGrace; }
};

// `url` (a libpq URI or key=value string) with connect_timeout, TCP keepalives and
// tcp_user_timeout set from `timeouts`, except those the url sets itself.
std::string with_connection_timeouts(const std::string& url, const PgTimeouts& timeouts);

}  // namespace castor
