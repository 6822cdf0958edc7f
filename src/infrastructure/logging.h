#pragma once

#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// How log lines look.
//   kText: `2026-11-21T09:31:56.123456Z info message` (UTC), for people.
//   kJson: one JSON object per line, `{"ts":"2026-11-21T09:31:56.123456Z","level":"info",
//          "msg":"message"}`, for log pipelines.
enum class LogFormat { kText, kJson };

// Parses LOG_FORMAT: "text" or "json". InvalidArgument naming LOG_FORMAT otherwise.
Result<LogFormat> parse_log_format(std::string_view text);

// The name of the logger for request lines: `spdlog::get(kAccessLoggerName)`.
inline constexpr const char* kAccessLoggerName = "access";

// Sets up spdlog, replacing loggers set up by an earlier call:
//  - the default logger ("castor"), for events: its message is free text, JSON-escaped in kJson;
//  - the "access" logger, for one line per request. In kJson its message is a list of JSON object
//    members whose values the caller has already escaped, e.g. `"request_id":"ab12",
//    "method":"GET","status":200` (no surrounding braces, no secrets, no object content),
//    spliced as `{"ts":"...","level":"info","msg":"request",<members>}`; in kText it is a
//    readable line (`GET /v1/objects 200 1.234 ms ...`) printed as `<ts> info <message>`.
// Both write whole lines to stderr at `level` (trace|debug|info|warn|error|critical|off; anything
// else means info), flushed at once from warn up and at least every second otherwise. Escaping
// turns `"`, `\` and control characters into JSON escapes and each byte of invalid UTF-8 into
// U+FFFD, so a line is always valid JSON whatever a message contains. Not thread-safe with logging
// itself: call it at start, before other threads log.
void init_logging(const std::string& level, LogFormat format = LogFormat::kText);

// Appends `text` to `out` as the inside of a JSON string (without the quotes), escaped as above.
// For building access-log members outside the api layer (the api layer has Boost.JSON).
void append_json_escaped(std::string_view text, std::string& out);

}  // namespace castor
