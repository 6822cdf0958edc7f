#include "domain/bucket.h"

#include <array>
#include <string>

namespace castor {
namespace {

constexpr std::array<std::string_view, 6> kReserved = {"v1",      "health",  "ready",
                                                       "metrics", "console", "openapi.json"};
constexpr std::array<std::string_view, 3> kReservedPrefixes = {"xn--", "sthree-", "amzn-s3-demo-"};
constexpr std::array<std::string_view, 5> kReservedSuffixes = {"-s3alias", "--ol-s3", ".mrap",
                                                               "--x-s3", "--table-s3"};

bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Four non-empty runs of decimal digits separated by periods ("192.168.5.4").
bool looks_like_ipv4(std::string_view name) {
  int runs = 0;
  std::size_t run_length = 0;
  for (char c : name) {
    if (c == '.') {
      if (run_length == 0) {
        return false;
      }
      ++runs;
      run_length = 0;
    } else if (is_digit(c)) {
      ++run_length;
    } else {
      return false;
    }
  }
  return run_length > 0 && runs == 3;
}

Error invalid_bucket_name(std::string message) {
  return {ErrorCode::kInvalidArgument, "bucket name " + std::move(message), "InvalidBucketName"};
}

}  // namespace

bool is_reserved_bucket_name(std::string_view name) {
  for (std::string_view reserved : kReserved) {
    if (name == reserved) {
      return true;
    }
  }
  return false;
}

Status check_new_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) {
    return invalid_bucket_name("must be 3 to 63 characters long");
  }
  for (char c : name) {
    if (!is_lower_or_digit(c) && c != '.' && c != '-') {
      return invalid_bucket_name("may hold only lowercase letters, digits, '.' and '-'");
    }
  }
  if (!is_lower_or_digit(name.front()) || !is_lower_or_digit(name.back())) {
    return invalid_bucket_name("must begin and end with a letter or digit");
  }
  if (name.find("..") != std::string_view::npos) {
    return invalid_bucket_name("must not hold two adjacent periods");
  }
  if (looks_like_ipv4(name)) {
    return invalid_bucket_name("must not be formatted as an IP address");
  }
  for (std::string_view prefix : kReservedPrefixes) {
    if (name.starts_with(prefix)) {
      return invalid_bucket_name("must not begin with '" + std::string(prefix) + "'");
    }
  }
  for (std::string_view suffix : kReservedSuffixes) {
    if (name.ends_with(suffix)) {
      return invalid_bucket_name("must not end with '" + std::string(suffix) + "'");
    }
  }
  if (is_reserved_bucket_name(name)) {
    return invalid_bucket_name("is reserved by castor's native API");
  }
  if (!Namespace::parse(name)) {
    return invalid_bucket_name("is not a valid namespace");
  }
  return {};
}

}  // namespace castor
