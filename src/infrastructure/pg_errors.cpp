#include "infrastructure/pg_errors.h"

#include <spdlog/spdlog.h>
#include <pqxx/except>

namespace castor {

Error current_exception_to_error() {
  try {
    throw;
  } catch (const pqxx::unique_violation& e) {
    return {ErrorCode::kAlreadyExists, "already exists"};
  } catch (const pqxx::serialization_failure& e) {
    return {ErrorCode::kAborted, "transaction conflict, retry"};
  } catch (const pqxx::deadlock_detected& e) {
    return {ErrorCode::kAborted, "transaction deadlock, retry"};
  } catch (const pqxx::in_doubt_error& e) {
    spdlog::error("database commit outcome unknown: {}", e.what());
    return {ErrorCode::kInternal, "database commit outcome unknown"};
  } catch (const pqxx::broken_connection& e) {
    spdlog::warn("database connection lost: {}", e.what());
    return {ErrorCode::kUnavailable, "database unavailable"};
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    if (state == "CQ001") {
      // castor_quota_check() (migrations/013_usage_quotas.sql): the message names the quota, its
      // limit and the usage. what() is libpq's "ERROR:  <message>\nCONTEXT: ...".
      std::string message = e.what();
      message = message.substr(0, message.find('\n'));
      if (const auto colon = message.find("quota exceeded"); colon != std::string::npos) {
        message = message.substr(colon);
      }
      return {ErrorCode::kPermissionDenied, message, "quota_exceeded"};
    }
    if (state == "40001" || state == "40P01") {
      return {ErrorCode::kAborted, "transaction conflict, retry"};
    }
    if (state == "CR001") {  // the retention guard (migrations/014_retention.sql)
      return {ErrorCode::kFailedPrecondition,
              "the object is locked (retention or legal hold): the database refused the change",
              "object_locked"};
    }
    if (state == "57014" || state.starts_with("08") || state.starts_with("57P")) {
      spdlog::warn("database unavailable (SQLSTATE {}): {}", state, e.what());
      return {ErrorCode::kUnavailable, "database unavailable"};
    }
    spdlog::error("database error (SQLSTATE {}): {} in {}", state, e.what(), e.query());
    return {ErrorCode::kInternal, "database error"};
  } catch (const std::exception& e) {
    spdlog::error("unexpected error: {}", e.what());
    return {ErrorCode::kInternal, "internal error"};
  } catch (...) {
    spdlog::error("unexpected non-standard exception");
    return {ErrorCode::kInternal, "internal error"};
  }
}

}  // namespace castor
