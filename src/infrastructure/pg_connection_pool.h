#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "application/periodic_task.h"
#include "domain/error.h"
#include "infrastructure/pg_timeouts.h"

namespace castor {

// A fixed-size pool of PostgreSQL connections. A connection belongs to one thread at a time, from
// acquire() until its Lease is destroyed. Connections are opened lazily and reopened after they
// break. Thread-safe.
//
// Deadlines (PgTimeouts): waiting for a free connection is bounded; every connection has
// statement_timeout set and libpq's connect and TCP timeouts; and a watchdog thread shuts down the
// socket of a connection whose call to the server (armed by PgCallDeadline) outlasts the client
// deadline, so that the blocked call fails at once with a broken connection.
//
// Bulk work (a thread inside a BulkWorkScope: uploads' fsync and commit, content reads) may hold
// at most size - reserved_for_short_work() connections at once, so that commits stalled behind
// gigabytes of writeback never leave authentication and listings without a connection.
//
// When a deadline fires or a connection cannot be opened, the pool marks the database as failing:
// from then on one caller at a time tries it, the others get Unavailable at once, until a lease
// ends with the connection healthy. So a hung database costs each request milliseconds, not the
// deadline.
class PgConnectionPool {
 public:
  // Called on every new connection (to prepare statements). May throw pqxx exceptions.
  using Setup = std::function<void(pqxx::connection&)>;

  struct Slot;  // one connection and its deadline

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() const;
    pqxx::connection* operator->() const { return &**this; }
    // Whether the watchdog cut this connection because a call outlasted its deadline.
    bool deadline_fired() const;

   private:
    friend class PgConnectionPool;
    friend class PgCallDeadline;
    Lease(PgConnectionPool& pool, std::unique_ptr<Slot> slot, bool trial, bool bulk);
    PgConnectionPool& pool_;
    std::unique_ptr<Slot> slot_;
    bool trial_;  // this lease tries a database marked failing
    bool bulk_;   // leased by bulk work (counted in bulk_leased_)
  };

  // `size` connections at most, to `url` (a libpq URI or key=value string).
  PgConnectionPool(std::string url, std::size_t size, Setup setup, PgTimeouts timeouts = {});
  ~PgConnectionPool();
  PgConnectionPool(const PgConnectionPool&) = delete;
  PgConnectionPool& operator=(const PgConnectionPool&) = delete;

  // Waits (at most acquire_timeout) for a free connection, (re)connecting if needed. Unavailable
  // if none frees up in time, if the database cannot be reached, or at once while the database is
  // failing and another caller is trying it. Blocking.
  Result<Lease> acquire();

  // Counts for metrics: connections open and idle, and open and leased.
  std::size_t idle() const;
  std::size_t in_use() const;
  std::size_t size() const { return size_; }
  // Connections bulk work can never take: a quarter of the pool (at least one when it has two or
  // more).
  std::size_t reserved_for_short_work() const { return reserved_; }
  const PgTimeouts& timeouts() const { return timeouts_; }

 private:
  friend class PgCallDeadline;
  void give_back(std::unique_ptr<Slot> slot, bool trial, bool bulk);
  void mark_failing(const char* why);
  // One watchdog pass: cuts the connections whose armed deadline has passed.
  void watch();

  const std::string url_;
  const std::size_t size_;
  const std::size_t reserved_;
  const Setup setup_;
  const PgTimeouts timeouts_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Slot>> idle_;  // guarded by mu_
  std::vector<Slot*> leased_;                // guarded by mu_; null for a slot still opening
  std::size_t leased_count_ = 0;             // guarded by mu_
  std::size_t bulk_leased_ = 0;              // guarded by mu_: of them, leased by bulk work
  bool failing_ = false;                     // guarded by mu_: a deadline fired, or connect failed
  bool trying_ = false;                      // guarded by mu_: a trial lease is out
  PeriodicTask watchdog_;                    // last: its thread uses the members above
};

// Arms the client deadline of the connection leased by the calling thread (see Use) for one call
// to the server, and disarms it when destroyed. Does nothing on a thread that holds no Use.
class PgCallDeadline {
 public:
  PgCallDeadline();
  ~PgCallDeadline();
  PgCallDeadline(const PgCallDeadline&) = delete;
  PgCallDeadline& operator=(const PgCallDeadline&) = delete;

  // Makes `lease` the calling thread's connection for PgCallDeadline until destroyed. Lets code
  // that only sees a transaction (the repositories) arm the deadline of its connection.
  class Use {
   public:
    explicit Use(PgConnectionPool::Lease& lease);
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    PgConnectionPool::Lease* previous_;
  };

 private:
  PgConnectionPool::Slot* slot_;
};

}  // namespace castor
