#include "domain/retention.h"

#include <cstdio>

namespace castor {
namespace {

Error retention_locked(std::string message) {
  return Error{ErrorCode::kFailedPrecondition, std::move(message), "retention_locked"};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != b[i]) {
      return false;
    }
  }
  return true;
}

// Whether `requested` keeps at least what `current` promises: compliance stays compliance, and the
// date does not move earlier.
bool no_weaker(const Retention& current, const std::optional<Retention>& requested) {
  if (!requested || requested->retain_until < current.retain_until) {
    return false;
  }
  return current.mode == RetentionMode::kGovernance ||
         requested->mode == RetentionMode::kCompliance;
}

}  // namespace

std::string_view to_string(RetentionMode mode) {
  return mode == RetentionMode::kCompliance ? "compliance" : "governance";
}

Result<RetentionMode> parse_retention_mode(std::string_view text) {
  if (iequals(text, "governance")) {
    return RetentionMode::kGovernance;
  }
  if (iequals(text, "compliance")) {
    return RetentionMode::kCompliance;
  }
  return invalid_argument("retention mode must be governance or compliance");
}

Result<RetentionChange> check_retention_change(const std::optional<Retention>& current,
                                               const std::optional<Retention>& requested,
                                               RetentionActor actor, Timestamp now) {
  if (actor.bypass_governance && !actor.admin) {
    return Error{ErrorCode::kPermissionDenied,
                 "bypass_governance needs the admin scope for every tenant"};
  }
  if (requested && !requested->active(now)) {
    return invalid_argument("retain_until must be in the future");
  }
  if (!current || !current->active(now)) {
    return RetentionChange{};
  }
  if (no_weaker(*current, requested)) {
    return RetentionChange{};
  }
  const std::string until = format_retention_time(current->retain_until);
  if (current->mode == RetentionMode::kCompliance) {
    return retention_locked("the object is under compliance retention until " + until +
                            ": it can only be extended, by nobody shortened or removed");
  }
  if (!actor.bypass_governance) {
    return retention_locked("the object is under governance retention until " + until +
                            ": shortening or removing it needs bypass_governance by an admin");
  }
  return RetentionChange{.bypassed_governance = true};
}

Status check_namespace_retention_change(const std::optional<NamespaceRetention>& current,
                                        const std::optional<NamespaceRetention>& requested) {
  if (requested && requested->default_retention_days > NamespaceRetention::kMaxDays) {
    return invalid_argument("default_retention_days must be between 0 and " +
                            std::to_string(NamespaceRetention::kMaxDays));
  }
  if (!current || current->mode != RetentionMode::kCompliance) {
    return {};
  }
  if (!requested) {
    return retention_locked("a compliance retention configuration cannot be removed");
  }
  if (requested->mode != RetentionMode::kCompliance) {
    return retention_locked("a compliance retention configuration cannot become governance");
  }
  if (requested->default_retention_days < current->default_retention_days) {
    return retention_locked("the default retention of a compliance configuration (" +
                            std::to_string(current->default_retention_days) +
                            " days) cannot be shortened");
  }
  if (requested->allow_overwrite && !current->allow_overwrite) {
    return retention_locked("a compliance configuration that refuses overwrites cannot allow them");
  }
  return {};
}

std::optional<Retention> apply_namespace_default(const NamespaceRetention& config,
                                                 const std::optional<Retention>& requested,
                                                 Timestamp commit_time) {
  if (config.default_retention_days == 0) {
    return requested;
  }
  const Timestamp until = commit_time + std::chrono::days(config.default_retention_days);
  Retention out{.mode = config.mode, .retain_until = until};
  if (requested) {
    if (requested->retain_until > until) {
      out.retain_until = requested->retain_until;
    }
    if (requested->mode == RetentionMode::kCompliance) {
      out.mode = RetentionMode::kCompliance;
    }
  }
  return out;
}

std::string format_retention_time(Timestamp t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - day)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace castor
