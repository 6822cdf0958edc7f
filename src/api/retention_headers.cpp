#include "api/retention_headers.h"

#include <algorithm>
#include <cctype>

#include "api/http_date.h"

namespace castor::api {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return out;
}

Result<bool> parse_hold(const std::optional<std::string>& value, std::string_view header,
                        std::string_view on, std::string_view off) {
  if (!value) {
    return false;
  }
  const std::string v = upper(*value);
  if (v == upper(on)) {
    return true;
  }
  if (v == upper(off)) {
    return false;
  }
  return invalid_argument(std::string(header) + " must be " + std::string(on) + " or " +
                          std::string(off));
}

Result<Timestamp> parse_date(const std::string& text, std::string_view header) {
  auto t = http_params::parse_rfc3339(text);
  if (!t) {
    return invalid_argument(std::string(header) + " must be an RFC 3339 date-time");
  }
  return *t;
}

}  // namespace

Result<LockRequest> native_lock_request(Exchange& ex) {
  LockRequest out;
  auto hold = parse_hold(ex.header("X-Legal-Hold"), "X-Legal-Hold", "on", "off");
  if (!hold) {
    return std::move(hold).error();
  }
  out.legal_hold = *hold;
  auto until = ex.header("X-Retain-Until");
  auto mode_text = ex.header("X-Retention-Mode");
  if (!until) {
    if (mode_text) {
      return invalid_argument("X-Retention-Mode needs X-Retain-Until");
    }
    return out;
  }
  auto date = parse_date(*until, "X-Retain-Until");
  if (!date) {
    return std::move(date).error();
  }
  RetentionMode mode = RetentionMode::kGovernance;
  if (mode_text) {
    auto m = parse_retention_mode(*mode_text);
    if (!m) {
      return invalid_argument("X-Retention-Mode must be governance or compliance");
    }
    mode = *m;
  }
  out.retention = Retention{mode, *date};
  return out;
}

Result<LockRequest> s3_lock_request(Exchange& ex) {
  LockRequest out;
  auto hold = parse_hold(ex.header("x-amz-object-lock-legal-hold"), "x-amz-object-lock-legal-hold",
                         "ON", "OFF");
  if (!hold) {
    return std::move(hold).error();
  }
  out.legal_hold = *hold;
  auto mode_text = ex.header("x-amz-object-lock-mode");
  auto until = ex.header("x-amz-object-lock-retain-until-date");
  if (!mode_text && !until) {
    return out;
  }
  if (!mode_text || !until) {
    return invalid_argument(
        "x-amz-object-lock-mode and x-amz-object-lock-retain-until-date must both be sent");
  }
  auto mode = parse_retention_mode(*mode_text);
  if (!mode) {
    return invalid_argument("x-amz-object-lock-mode must be GOVERNANCE or COMPLIANCE");
  }
  auto date = parse_date(*until, "x-amz-object-lock-retain-until-date");
  if (!date) {
    return std::move(date).error();
  }
  out.retention = Retention{*mode, *date};
  return out;
}

Headers native_lock_headers(const Object& object) {
  Headers h;
  if (object.retention()) {
    h.emplace_back("X-Retention-Mode", std::string(to_string(object.retention()->mode)));
    h.emplace_back("X-Retain-Until", http_params::rfc3339(object.retention()->retain_until));
  }
  if (object.legal_hold()) {
    h.emplace_back("X-Legal-Hold", "on");
  }
  return h;
}

Headers s3_lock_headers(const Object& object) {
  Headers h;
  if (object.retention()) {
    h.emplace_back("x-amz-object-lock-mode", upper(to_string(object.retention()->mode)));
    h.emplace_back("x-amz-object-lock-retain-until-date",
                   http_params::rfc3339(object.retention()->retain_until));
  }
  if (object.retention() || object.legal_hold()) {
    h.emplace_back("x-amz-object-lock-legal-hold", object.legal_hold() ? "ON" : "OFF");
  }
  return h;
}

}  // namespace castor::api
