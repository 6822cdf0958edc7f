#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include "infrastructure/pg_connection_pool.h"

namespace castor {

// Told how long each database statement took: its prepared statement's name and seconds.
// Called on the worker thread that ran it; must be cheap and thread-safe (a metrics histogram).
using QueryObserver = std::function<void(std::string_view statement, double seconds)>;

// A transaction plus the observer its statements report to: what every repository runs on.
class PgStatements {
 public:
  PgStatements(pqxx::transaction_base& tx, const QueryObserver* observer)
      : tx_(tx), observer_(observer) {}

  // Runs the prepared statement `name` with `args`, timing it, under the client deadline of the
  // thread's leased connection (PgCallDeadline). Throws pqxx exceptions.
  template <class... Args>
  pqxx::result exec(const char* name, Args&&... args) {
    const auto start = std::chrono::steady_clock::now();
    PgCallDeadline deadline;
    pqxx::result r = tx_.exec_prepared(name, std::forward<Args>(args)...);
    if (observer_ != nullptr && *observer_) {
      (*observer_)(name,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return r;
  }

  // Runs `sql`, a statement whose text the caller assembled from fixed fragments only (every
  // value a $n parameter, bound from `params` in order), timed as `label`, under the same
  // deadline. For queries whose shape varies per call (search filters), so cannot be prepared
  // once. Throws pqxx exceptions.
  pqxx::result exec_dynamic(const char* label, const std::string& sql,
                            const std::vector<std::string>& params) {
    const auto start = std::chrono::steady_clock::now();
    PgCallDeadline deadline;
    pqxx::result r = tx_.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    if (observer_ != nullptr && *observer_) {
      (*observer_)(label,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return r;
  }

 private:
  pqxx::transaction_base& tx_;
  const QueryObserver* observer_;  // may be null
};

}  // namespace castor
