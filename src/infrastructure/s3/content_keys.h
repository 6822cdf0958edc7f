#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/content_hash.h"
#include "domain/object_id.h"

namespace castor {

// The key layout of one storage class's content in an S3 bucket (S3BackendSettings::prefix):
//   {prefix}{h[0:2]}/{h[2:4]}/{h}        content, named by its SHA-256 hex h
//   {prefix}.tmp/{object id}              uploads in progress (multipart uploads, then an object)
//   {prefix}.quarantine/{h}.{unix secs}   content the scrubber set aside
// Keys sort '.' < '/' < '0', so a listing that starts after "{prefix}/" skips .tmp/ and
// .quarantine/ and sees the content keys in ascending hash order. Immutable; thread-safe.
class ContentKeys {
 public:
  // `prefix` is "" or ends in '/' (the settings check it).
  explicit ContentKeys(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string content_key(const ContentHash& hash) const;
  std::string temp_key(const ObjectId& object) const;
  // "{prefix}.tmp/": what every temp key starts with.
  std::string temp_prefix() const { return prefix_ + ".tmp/"; }
  std::string quarantine_key(const ContentHash& hash, std::int64_t unix_seconds) const;
  // "{prefix}/": the start_after of a listing from the first content key.
  std::string before_content() const { return prefix_ + "/"; }
  // The greatest key a content key can be ("{prefix}ff/ff/ff…f"): a listing past it is done.
  std::string last_content_key() const;

  // The hash a key names if it is shaped like a content key ({prefix}xx/yy/{64 lowercase hex
  // starting xxyy}); nullopt for anything else.
  std::optional<ContentHash> parse_content_key(std::string_view key) const;
  // The object id part of a temp key ("{prefix}.tmp/{id}"); nullopt for other keys.
  std::optional<std::string> temp_object(std::string_view key) const;

 private:
  std::string prefix_;
};

}  // namespace castor
