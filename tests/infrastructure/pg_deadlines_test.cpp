// Deadlines on PostgreSQL: the pool's wait, the client-side cut of a call the server does not
// answer, the fast failure while the database is failing, and the recovery.
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/except>
#include <pqxx/nontransaction>

#include "application/io_thread.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_connection_pool.h"
#include "support/test_database.h"

namespace castor::testing {
namespace {

using Clock = std::chrono::steady_clock;

PgTimeouts short_timeouts() {
  return {.statement_timeout = std::chrono::milliseconds(1000),
          .acquire_timeout = std::chrono::milliseconds(500),
          .connect_timeout = std::chrono::seconds(2)};
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("connection timeouts are added to URIs and key=value strings, never overriding", "[pg]") {
  const PgTimeouts t = short_timeouts();
  CHECK(with_connection_timeouts("postgresql://u@h/db", t) ==
        "postgresql://u@h/db?connect_timeout=2&keepalives=1&keepalives_idle=2&"
        "keepalives_interval=1&keepalives_count=3&tcp_user_timeout=2000");
  CHECK(with_connection_timeouts("postgresql://u@/db?host=/s&connect_timeout=9", t) ==
        "postgresql://u@/db?host=/s&connect_timeout=9&keepalives=1&keepalives_idle=2&"
        "keepalives_interval=1&keepalives_count=3&tcp_user_timeout=2000");
  CHECK(with_connection_timeouts("host=/s dbname=x keepalives=0", t) ==
        "host=/s dbname=x keepalives=0 connect_timeout=2 keepalives_idle=2 keepalives_interval=1 "
        "keepalives_count=3 tcp_user_timeout=2000");
}

TEST_CASE("statement_timeout is set on every pooled connection", "[pg]") {
  auto db = TestDatabase::create("castor_pg");
  PgConnectionPool pool(db.url(), 1, nullptr, short_timeouts());
  auto lease = pool.acquire();
  REQUIRE(lease);
  pqxx::nontransaction tx(**lease);
  CHECK(tx.exec("SHOW statement_timeout")[0][0].as<std::string>() == "1s");
  // The server cancels a statement that runs longer.
  const auto start = Clock::now();
  CHECK_THROWS_AS(tx.exec("SELECT pg_sleep(30)"), pqxx::sql_error);
  CHECK(seconds_since(start) < 5.0);
}

TEST_CASE("waiting for a pooled connection is bounded", "[pg]") {
  auto db = TestDatabase::create("castor_pg");
  PgConnectionPool pool(db.url(), 1, nullptr, short_timeouts());
  auto held = pool.acquire();
  REQUIRE(held);
  const auto start = Clock::now();
  auto second = pool.acquire();
  REQUIRE_FALSE(second);
  CHECK(second.error().code == ErrorCode::kUnavailable);
  CHECK(seconds_since(start) >= 0.4);
  CHECK(seconds_since(start) < 3.0);
}

TEST_CASE("bulk work never takes the connections reserved for short work", "[pg]") {
  auto db = TestDatabase::create("castor_pg");
  PgConnectionPool pool(db.url(), 4, nullptr, short_timeouts());
  REQUIRE(pool.reserved_for_short_work() == 1);
  std::vector<PgConnectionPool::Lease> bulk;
  {
    BulkWorkScope scope;
    for (int i = 0; i < 3; ++i) {
      auto lease = pool.acquire();
      REQUIRE(lease);
      bulk.push_back(std::move(*lease));
    }
  }
  // A fourth bulk lease waits for one of the three, on another thread.
  std::promise<bool> got;
  std::thread waiter([&] {
    BulkWorkScope scope;
    auto lease = pool.acquire();
    got.set_value(static_cast<bool>(lease));
  });
  auto fourth = got.get_future();
  // Short work still gets the reserved connection at once.
  const auto start = Clock::now();
  auto listing = pool.acquire();
  REQUIRE(listing);
  CHECK(seconds_since(start) < 0.4);
  CHECK(pool.in_use() == 4);
  CHECK(fourth.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  // Returning the short lease does not let bulk work in; returning a bulk one does.
  { auto done = std::move(*listing); }
  CHECK(fourth.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  bulk.pop_back();
  CHECK(fourth.get());
  waiter.join();
}

TEST_CASE(
    "a call the server does not answer is cut at the client deadline; then one caller at a time "
    "tries the database, the others fail at once, until it answers",
    "[pg]") {
  auto db = TestDatabase::create("castor_pg");
  PgConnectionPool pool(db.url(), 2, nullptr, short_timeouts());
  {
    auto lease = pool.acquire();
    REQUIRE(lease);
    PgCallDeadline::Use use(*lease);
    pqxx::nontransaction tx(**lease);
    // Plays a server that never answers: no server-side timeout, a sleep far past the deadline.
    tx.exec("SET statement_timeout = 0");
    const auto start = Clock::now();
    {
      PgCallDeadline deadline;
      CHECK_THROWS(tx.exec("SELECT pg_sleep(60)"));  // the connection is gone
    }
    const double took = seconds_since(start);
    CHECK(took >= 1.9);  // statement_timeout 1 s + 1 s grace
    CHECK(took < 5.0);
    CHECK(lease->deadline_fired());
  }
  // Failing now: the first caller gets a trial lease, a second one is refused at once.
  auto trial = pool.acquire();
  REQUIRE(trial);
  const auto start = Clock::now();
  auto refused = pool.acquire();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(seconds_since(start) < 0.3);
  {
    PgCallDeadline::Use use(*trial);
    PgCallDeadline deadline;
    pqxx::nontransaction tx(**trial);
    CHECK(tx.exec("SELECT 1")[0][0].as<int>() == 1);
  }
  { auto done = std::move(*trial); }  // the trial ends healthy: the database is back
  auto a = pool.acquire();
  auto b = pool.acquire();
  CHECK(a);
  CHECK(b);
}

}  // namespace castor::testing
