#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "domain/error.h"

namespace castor {

// A fixed-size pool of PostgreSQL connections. A connection belongs to one thread at a time, from
// acquire() until its Lease is destroyed. Connections are opened lazily and reopened after they
// break. Thread-safe.
class PgConnectionPool {
 public:
  // Called on every new connection (to prepare statements). May throw pqxx exceptions.
  using Setup = std::function<void(pqxx::connection&)>;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() const { return *conn_; }
    pqxx::connection* operator->() const { return conn_.get(); }

   private:
    friend class PgConnectionPool;
    Lease(PgConnectionPool& pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    PgConnectionPool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  // `size` connections at most, to `url` (a libpq URI or key=value string).
  PgConnectionPool(std::string url, std::size_t size, Setup setup);
  ~PgConnectionPool();

  // Waits for a free connection, (re)connecting if needed. Unavailable if the database cannot be
  // reached. Blocking.
  Result<Lease> acquire();

  // Counts for metrics: connections open and idle, and open and leased.
  std::size_t idle() const;
  std::size_t in_use() const;
  std::size_t size() const { return size_; }

 private:
  void give_back(std::unique_ptr<pqxx::connection> conn);

  const std::string url_;
  const std::size_t size_;
  const Setup setup_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  std::size_t leased_ = 0;                               // guarded by mu_
};

}  // namespace castor
