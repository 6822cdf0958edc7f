#pragma once

#include <string>
#include <string_view>

namespace castor::testing {

// A fresh, empty PostgreSQL database for one test executable, created from the server named by
// the DATABASE_URL environment variable (a superuser connection, e.g.
// postgresql://postgres@/postgres?host=/tmp/pg&port=5432) and dropped again by the destructor.
// Its name, <prefix>_<pid>_<random>, keeps executables that run in parallel apart.
class TestDatabase {
 public:
  // Throws std::runtime_error if DATABASE_URL is unset (tests must not silently skip) or the
  // database cannot be created.
  static TestDatabase create(std::string prefix);

  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&& other) noexcept;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // Drops the database (WITH (FORCE): connections still open are terminated). Never throws; a
  // failure is reported on stderr.
  ~TestDatabase();

  // A connection URL for this database: DATABASE_URL with its database name replaced.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  TestDatabase(std::string admin_url, std::string name, std::string url);
  void drop() noexcept;

  std::string admin_url_;  // empty once moved from
  std::string name_;
  std::string url_;
};

// Returns `url` with its database name replaced by `database`. Understands the URI form
// (postgresql://user@host:port/dbname?params, the path may be absent) and the key/value form
// ("host=/tmp port=5432 dbname=postgres"). Throws std::invalid_argument on anything else.
std::string with_database_name(std::string_view url, std::string_view database);

}  // namespace castor::testing
