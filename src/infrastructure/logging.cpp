#include "infrastructure/logging.h"

#include <chrono>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace castor {
namespace {

constexpr const char* kDefaultLoggerName = "castor";
constexpr const char* kTimestamp = "%Y-%m-%dT%H:%M:%S.%fZ";

// Calls `append(const char*, std::size_t)` with the pieces of `text` escaped for the inside of a
// JSON string: `"` and `\` backslash-escaped, control characters as \n, \t, ... or \u00XX, valid
// UTF-8 copied through, every byte of an invalid sequence replaced by U+FFFD.
template <class Append>
void escape_json(std::string_view text, Append&& append) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t run = 0;  // start of the bytes not yet appended that need no escaping
  auto flush = [&](std::size_t end) {
    if (end > run) {
      append(text.data() + run, end - run);
    }
  };
  auto continuation = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return i < n && s[i] >= lo && s[i] <= hi;
  };
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    std::size_t length = 0;  // of a valid multi-byte sequence at i
    if (c >= 0xc2 && c <= 0xdf) {
      length = continuation(i + 1) ? 2 : 0;
    } else if (c >= 0xe0 && c <= 0xef) {
      const unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
      const unsigned char hi = c == 0xed ? 0x9f : 0xbf;  // no UTF-16 surrogates
      length = continuation(i + 1, lo, hi) && continuation(i + 2) ? 3 : 0;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
      const unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;  // nothing above U+10FFFF
      length = continuation(i + 1, lo, hi) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
    }
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
    switch (c) {
      case '"':
        append("\\\"", 2);
        break;
      case '\\':
        append("\\\\", 2);
        break;
      case '\n':
        append("\\n", 2);
        break;
      case '\r':
        append("\\r", 2);
        break;
      case '\t':
        append("\\t", 2);
        break;
      case '\b':
        append("\\b", 2);
        break;
      case '\f':
        append("\\f", 2);
        break;
      default:
        if (c < 0x20) {
          append(escaped, sizeof escaped);
        } else {
          append("\\ufffd", 6);  // a byte that does not start a valid UTF-8 sequence
        }
    }
    ++i;
    run = i;
  }
  flush(n);
}

// %* : the message, JSON-escaped.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    escape_json(std::string_view(msg.payload.data(), msg.payload.size()),
                [&](const char* p, std::size_t n) { dest.append(p, p + n); });
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

// %& : the message (JSON object members, already escaped by the caller) preceded by a comma, or
// nothing when the message is empty, so that the line stays valid JSON.
class SplicedMembers final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (msg.payload.size() > 0) {
      dest.push_back(',');
      dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SplicedMembers>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format, bool access) {
  std::string pattern;
  if (format == LogFormat::kJson) {
    pattern = std::string(R"({"ts":")").append(kTimestamp).append(R"(","level":"%l",)");
    pattern += access ? R"("msg":"request"%&})" : R"("msg":"%*"})";
  } else {
    pattern = std::string(kTimestamp).append(" %l %v");
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonEscapedMessage>('*').add_flag<SplicedMembers>('&').set_pattern(pattern);
  return formatter;
}

spdlog::level::level_enum parse_level(const std::string& level) {
  static constexpr std::pair<const char*, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  for (const auto& [name, value] : kLevels) {
    if (level == name) {
      return value;
    }
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger(const char* name, LogFormat format, bool access,
                                            spdlog::level::level_enum level) {
  // stderr_sink_mt instances share one process-wide console mutex, so lines of the two loggers
  // never interleave; each sink has its own formatter.
  auto logger =
      std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(make_formatter(format, access));
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace

Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") {
    return LogFormat::kText;
  }
  if (text == "json") {
    return LogFormat::kJson;
  }
  return invalid_argument(
      std::string("invalid LOG_FORMAT: '").append(text).append("' is not one of text, json"));
}

void append_json_escaped(std::string_view text, std::string& out) {
  escape_json(text, [&](const char* p, std::size_t n) { out.append(p, n); });
}

void init_logging(const std::string& level, LogFormat format) {
  const spdlog::level::level_enum threshold = parse_level(level);
  spdlog::set_default_logger(make_logger(kDefaultLoggerName, format, false, threshold));
  spdlog::drop(kAccessLoggerName);
  spdlog::register_logger(make_logger(kAccessLoggerName, format, true, threshold));
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace castor
