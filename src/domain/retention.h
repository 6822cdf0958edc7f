#pragma once
// Retention (WORM) rules: how long an object must be kept, by whose say it may be changed, and
// what a namespace's retention configuration may become. Modelled on S3 Object Lock (S3 User
// Guide, "Locking objects with Object Lock": retention modes, retention periods, legal holds)
// and issue 12 ("Retention (WORM)"). std only; see docs/RETENTION.md.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// Wall-clock time with the precision PostgreSQL keeps (microseconds).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// How binding a retention is (S3 Object Lock retention modes).
//   kGovernance: shortened or removed only by an admin that says so (bypass_governance; audited).
//   kCompliance: only ever extended, by anybody; shortened or removed by nobody until it expires.
enum class RetentionMode { kGovernance, kCompliance };

// "governance", "compliance".
std::string_view to_string(RetentionMode mode);
// The names above in any letter case (S3 sends "GOVERNANCE"); InvalidArgument otherwise.
Result<RetentionMode> parse_retention_mode(std::string_view text);

// An object's retention: it may not be deleted or overwritten while now < retain_until.
struct Retention {
  RetentionMode mode = RetentionMode::kGovernance;
  Timestamp retain_until;

  // Whether the retention still binds at `now`.
  bool active(Timestamp now) const { return now < retain_until; }
  friend bool operator==(const Retention&, const Retention&) = default;
};

// Who asks for a retention change, and how.
struct RetentionActor {
  bool admin = false;              // holds the admin scope for every tenant
  bool bypass_governance = false;  // asks to shorten or remove a governance retention
};

// What a permitted change did that must be audited.
struct RetentionChange {
  // A governance retention was shortened or removed under bypass_governance (by an admin): the
  // caller writes an audit line naming the credential, the object, the old and the new date.
  bool bypassed_governance = false;
};

// Whether `current` may become `requested` (nullopt: no retention) at `now`:
//  - bypass_governance by a non-admin: PermissionDenied, whatever the change;
//  - a requested date not after `now`: InvalidArgument (a retention is set into the future);
//  - no current retention, or an expired one: anything goes;
//  - compliance (active): only to compliance with a date no earlier; otherwise
//    FailedPrecondition, reason "retention_locked" (admins and bypass included);
//  - governance (active): to governance or compliance with a date no earlier (an extension, or a
//    move to compliance) is allowed; anything else (shorter, removed) needs bypass_governance by
//    an admin (then bypassed_governance), else FailedPrecondition "retention_locked".
Result<RetentionChange> check_retention_change(const std::optional<Retention>& current,
                                               const std::optional<Retention>& requested,
                                               RetentionActor actor, Timestamp now);

// A namespace's WORM configuration: new objects get `mode` and retain_until = commit time +
// default_retention_days (0: no default date); with allow_overwrite false an existing key may
// not be written over (S3 PutObject/CopyObject/CompleteMultipartUpload).
struct NamespaceRetention {
  RetentionMode mode = RetentionMode::kGovernance;
  std::uint32_t default_retention_days = 0;
  bool allow_overwrite = false;

  static constexpr std::uint32_t kMaxDays = 36500;  // 100 years
  friend bool operator==(const NamespaceRetention&, const NamespaceRetention&) = default;
};

// Whether a namespace configuration `current` (nullopt: none) may become `requested` (nullopt:
// removed). InvalidArgument when requested.default_retention_days > kMaxDays. A compliance
// configuration can only be made stronger: removing it, moving it to governance, shortening its
// default or allowing overwrites is FailedPrecondition, reason "retention_locked". A governance
// configuration (or none) may become anything (the caller is an admin).
Status check_namespace_retention_change(const std::optional<NamespaceRetention>& current,
                                        const std::optional<NamespaceRetention>& requested);

// The retention an object committed at `commit_time` in a namespace configured `config` gets,
// given what its upload asked for (`requested`): the later of the requested date and commit time
// + the default days, compliance if either says so. `requested` unchanged when the default is 0
// days. (PostgreSQL applies the same rule at commit: migrations/014_retention.sql.)
std::optional<Retention> apply_namespace_default(const NamespaceRetention& config,
                                                 const std::optional<Retention>& requested,
                                                 Timestamp commit_time);

// `t` as RFC 3339 UTC with whole seconds ("2027-01-02T03:04:05Z"), for messages.
std::string format_retention_time(Timestamp t);

}  // namespace castor
