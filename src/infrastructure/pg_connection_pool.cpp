#include "infrastructure/pg_connection_pool.h"

#include "infrastructure/pg_errors.h"

namespace castor {

PgConnectionPool::PgConnectionPool(std::string url, std::size_t size, Setup setup)
    : url_(std::move(url)), size_(size), setup_(std::move(setup)) {}

PgConnectionPool::~PgConnectionPool() = default;

PgConnectionPool::Lease::~Lease() {
  if (conn_) {
    pool_.give_back(std::move(conn_));
  }
}

Result<PgConnectionPool::Lease> PgConnectionPool::acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return leased_ < size_; });
    ++leased_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn && conn->is_open()) {
    return Lease(*this, std::move(conn));
  }
  // The slot is ours; open a connection for it outside the lock.
  auto opened = guarded([&]() -> Result<std::unique_ptr<pqxx::connection>> {
    auto fresh = std::make_unique<pqxx::connection>(url_);
    if (setup_) {
      setup_(*fresh);
    }
    return fresh;
  });
  if (!opened) {
    give_back(nullptr);
    return Error{ErrorCode::kUnavailable, "database unavailable"};
  }
  return Lease(*this, std::move(*opened));
}

void PgConnectionPool::give_back(std::unique_ptr<pqxx::connection> conn) {
  {
    std::lock_guard lock(mu_);
    --leased_;
    if (conn && conn->is_open()) {
      idle_.push_back(std::move(conn));
    }
  }
  freed_.notify_one();
}

std::size_t PgConnectionPool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

std::size_t PgConnectionPool::in_use() const {
  std::lock_guard lock(mu_);
  return leased_;
}

}  // namespace castor
