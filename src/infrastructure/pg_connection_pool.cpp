#include "infrastructure/pg_connection_pool.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <pqxx/nontransaction>

#include "application/io_thread.h"
#include "infrastructure/pg_errors.h"

namespace castor {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kWatchPeriod = std::chrono::milliseconds(100);
// How long bulk work may wait for one of the connections it is allowed (see acquire()).
constexpr auto kBulkAcquireTimeout = std::chrono::milliseconds(60'000);

std::int64_t ticks(Clock::time_point t) { return t.time_since_epoch().count(); }

// The lease PgCallDeadline arms on this thread (set by PgCallDeadline::Use).
thread_local PgConnectionPool::Lease* current_lease = nullptr;

}  // namespace

struct PgConnectionPool::Slot {
  explicit Slot(std::unique_ptr<pqxx::connection> c) : conn(std::move(c)) {}
  ~Slot() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  // (Re)duplicates the connection's socket if libpq's changed. Called with the pool's mu_ held.
  void track_socket() {
    const int sock = conn->sock();
    if (sock == raw_fd) {
      return;
    }
    if (fd >= 0) {
      ::close(fd);
    }
    raw_fd = sock;
    fd = sock >= 0 ? ::fcntl(sock, F_DUPFD_CLOEXEC, 0) : -1;
  }

  std::unique_ptr<pqxx::connection> conn;
  // A duplicate of the connection's socket, guarded by the pool's mu_: shutting it down ends the
  // blocked call, and being ours, it can never name a descriptor reused by someone else.
  int fd = -1;
  int raw_fd = -1;                        // libpq's descriptor when fd was duplicated
  std::atomic<std::int64_t> deadline{0};  // steady_clock ticks; 0 = no call in progress
  std::atomic<bool> fired{false};         // the watchdog shut the socket down
};

PgConnectionPool::Lease::Lease(PgConnectionPool& pool, std::unique_ptr<Slot> slot, bool trial,
                               bool bulk)
    : pool_(pool), slot_(std::move(slot)), trial_(trial), bulk_(bulk) {}

PgConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), slot_(std::move(other.slot_)), trial_(other.trial_), bulk_(other.bulk_) {}

PgConnectionPool::Lease::~Lease() {
  if (slot_) {
    pool_.give_back(std::move(slot_), trial_, bulk_);
  }
}

pqxx::connection& PgConnectionPool::Lease::operator*() const { return *slot_->conn; }

bool PgConnectionPool::Lease::deadline_fired() const { return slot_ && slot_->fired.load(); }

PgConnectionPool::PgConnectionPool(std::string url, std::size_t size, Setup setup,
                                   PgTimeouts timeouts)
    : url_(with_connection_timeouts(url, timeouts)),
      size_(size),
      reserved_(size >= 4 ? size / 4 : (size >= 2 ? 1 : 0)),
      setup_(std::move(setup)),
      timeouts_(timeouts),
      watchdog_(kWatchPeriod, [this] { watch(); }) {
  watchdog_.start();
}

PgConnectionPool::~PgConnectionPool() { watchdog_.stop(); }

Result<PgConnectionPool::Lease> PgConnectionPool::acquire() {
  std::unique_ptr<Slot> slot;
  bool trial = false;
  const bool bulk = in_bulk_work();
  {
    std::unique_lock lock(mu_);
    // Bulk work waits its turn longer: the connections it waits for are held by other commits
    // that are making progress (a database that fails is noticed at once, below).
    const auto wait =
        bulk ? std::max(timeouts_.acquire_timeout, kBulkAcquireTimeout) : timeouts_.acquire_timeout;
    const bool woken = freed_.wait_for(lock, wait, [&] {
      return (leased_count_ < size_ && (!bulk || bulk_leased_ < size_ - reserved_)) ||
             (failing_ && trying_);
    });
    if (failing_ && trying_) {
      return Error{ErrorCode::kUnavailable, "database unavailable"};
    }
    if (!woken) {
      return Error{
          ErrorCode::kUnavailable,
          "database busy: no connection free within " +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()) +
              " ms"};
    }
    if (failing_) {
      trying_ = trial = true;
    }
    ++leased_count_;
    bulk_leased_ += bulk ? 1 : 0;
    if (!idle_.empty()) {
      slot = std::move(idle_.back());
      idle_.pop_back();
    }
    if (slot && slot->conn->is_open()) {
      slot->track_socket();
      leased_.push_back(slot.get());
      return Lease(*this, std::move(slot), trial, bulk);
    }
  }
  slot.reset();
  // The place is ours; open a connection for it outside the lock (bounded by connect_timeout).
  auto opened = guarded([&]() -> Result<std::unique_ptr<pqxx::connection>> {
    auto fresh = std::make_unique<pqxx::connection>(url_);
    // A broken connection stays broken; the pool replaces it. (Deprecated in libpqxx 6.4, whose
    // connections otherwise reconnect silently mid-lease; gone with reactivation in 7.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    fresh->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    return fresh;
  });
  if (!opened) {
    mark_failing("cannot connect");
    give_back(nullptr, trial, bulk);
    return Error{ErrorCode::kUnavailable, "database unavailable"};
  }
  slot = std::make_unique<Slot>(std::move(*opened));
  {
    std::lock_guard lock(mu_);
    slot->track_socket();
    leased_.push_back(slot.get());
  }
  Lease lease(*this, std::move(slot), trial, bulk);
  auto ready = guarded([&]() -> Status {
    PgCallDeadline::Use use(lease);
    PgCallDeadline deadline;
    pqxx::nontransaction session(*lease);
    session.exec("SET statement_timeout = " + std::to_string(timeouts_.statement_timeout.count()));
    session.commit();
    if (setup_) {
      setup_(*lease);
    }
    return {};
  });
  if (!ready) {
    lease->disconnect();  // half set up: not for reuse
    return std::move(ready).error();
  }
  return lease;
}

void PgConnectionPool::give_back(std::unique_ptr<Slot> slot, bool trial, bool bulk) {
  std::unique_ptr<Slot> dropped;
  {
    std::lock_guard lock(mu_);
    --leased_count_;
    bulk_leased_ -= bulk ? 1 : 0;
    if (slot) {
      leased_.erase(std::find(leased_.begin(), leased_.end(), slot.get()));
    }
    const bool healthy = slot && !slot->fired && slot->conn->is_open();
    if (trial) {
      trying_ = false;
      if (healthy && failing_) {
        failing_ = false;
        spdlog::info("database answers again");
      }
    }
    if (healthy) {
      slot->deadline = 0;
      idle_.push_back(std::move(slot));
    } else {
      dropped = std::move(slot);  // closed outside the lock
    }
  }
  freed_.notify_all();
}

void PgConnectionPool::mark_failing(const char* why) {
  {
    std::lock_guard lock(mu_);
    if (!failing_) {
      spdlog::warn("database failing ({}): one request at a time tries it, the rest get 503", why);
    }
    failing_ = true;
  }
  freed_.notify_all();
}

void PgConnectionPool::watch() {
  {
    std::lock_guard lock(mu_);
    const std::int64_t now = ticks(Clock::now());
    bool fired = false;
    for (Slot* slot : leased_) {
      const std::int64_t deadline = slot->deadline.load();
      if (deadline == 0 || deadline > now || slot->fired) {
        continue;
      }
      slot->fired = true;
      fired = true;
      if (slot->fd >= 0) {
        ::shutdown(slot->fd, SHUT_RDWR);
      }
      spdlog::warn("database call unanswered after {} ms: connection cut",
                   timeouts_.client_deadline().count());
    }
    if (!fired) {
      return;
    }
    if (!failing_) {
      spdlog::warn("database failing (deadline): one request at a time tries it, the rest get 503");
    }
    failing_ = true;
  }
  freed_.notify_all();
}

std::size_t PgConnectionPool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

std::size_t PgConnectionPool::in_use() const {
  std::lock_guard lock(mu_);
  return leased_count_;
}

PgCallDeadline::Use::Use(PgConnectionPool::Lease& lease) : previous_(current_lease) {
  current_lease = &lease;
}

PgCallDeadline::Use::~Use() { current_lease = previous_; }

PgCallDeadline::PgCallDeadline()
    : slot_(current_lease != nullptr ? current_lease->slot_.get() : nullptr) {
  if (slot_ == nullptr) {
    return;
  }
  if (slot_->conn->sock() != slot_->raw_fd) {
    std::lock_guard lock(current_lease->pool_.mu_);
    slot_->track_socket();
  }
  slot_->deadline = ticks(Clock::now() + current_lease->pool_.timeouts_.client_deadline());
}

PgCallDeadline::~PgCallDeadline() {
  if (slot_ != nullptr) {
    slot_->deadline = 0;
  }
}

}  // namespace castor
