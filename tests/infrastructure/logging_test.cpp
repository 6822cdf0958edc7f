#include "infrastructure/logging.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace castor {
namespace {

namespace json = boost::json;

// Runs `body` with file descriptor 2 (stderr, where the loggers write) redirected to a temporary
// file, and returns the lines written.
std::vector<std::string> capture_stderr(const std::function<void()>& body) {
  char path[] = "/tmp/castor-logging-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::fflush(stderr);
  const int saved = dup(2);
  REQUIRE(saved >= 0);
  REQUIRE(dup2(fd, 2) >= 0);
  body();
  spdlog::default_logger()->flush();
  if (auto access = spdlog::get(kAccessLoggerName)) {
    access->flush();
  }
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  std::remove(path);
  return lines;
}

const std::regex kTimestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");

// Loggers back to plain text and quiet for the tests that follow.
struct RestoreLogging {
  ~RestoreLogging() { init_logging("warn", LogFormat::kText); }
};

TEST_CASE("LOG_FORMAT is text or json", "[unit]") {
  CHECK(*parse_log_format("text") == LogFormat::kText);
  CHECK(*parse_log_format("json") == LogFormat::kJson);
  auto bad = parse_log_format("JSON");
  REQUIRE(!bad);
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  CHECK(bad.error().message.find("LOG_FORMAT") != std::string::npos);
  CHECK(!parse_log_format(""));
}

TEST_CASE("JSON escaping covers quotes, backslashes, control characters and bad UTF-8", "[unit]") {
  auto escaped = [](std::string_view text) {
    std::string out = "prefix:";
    append_json_escaped(text, out);
    return out;
  };
  CHECK(escaped("plain text") == "prefix:plain text");
  CHECK(escaped(R"(say "hi" \ bye)") == R"(prefix:say \"hi\" \\ bye)");
  CHECK(escaped("a\nb\r\tc\b\f") == R"(prefix:a\nb\r\tc\b\f)");
  CHECK(escaped(std::string("\x01\x1f\x7f", 3)) == "prefix:\\u0001\\u001f\x7f");
  CHECK(escaped(std::string("nul\0!", 5)) == R"(prefix:nul\u0000!)");
  CHECK(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "prefix:caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // valid UTF-8 is kept
  CHECK(escaped("\xff") == R"(prefix:\ufffd)");
  CHECK(escaped("x\xe2\x82") == R"(prefix:x\ufffd\ufffd)");                    // truncated sequence
  CHECK(escaped("\xc0\xaf") == R"(prefix:\ufffd\ufffd)");                      // overlong encoding
  CHECK(escaped("\xed\xa0\x80") == R"(prefix:\ufffd\ufffd\ufffd)");            // a UTF-16 surrogate
  CHECK(escaped("\xf4\x90\x80\x80") == R"(prefix:\ufffd\ufffd\ufffd\ufffd)");  // > U+10FFFF
}

TEST_CASE("JSON logs are one valid object per line", "[unit]") {
  RestoreLogging restore;
  const std::string nasty =
      std::string("he said \"hi\"\\\nnext line\ttab \x01 caf\xc3\xa9 bad \xff end");
  const auto lines = capture_stderr([&] {
    init_logging("info", LogFormat::kJson);
    spdlog::info("{}", nasty);
    spdlog::debug("below the level");
    spdlog::warn("careful");
    spdlog::get(kAccessLoggerName)
        ->info(R"("request_id":"ab12","method":"GET","status":200,"tenant":"a\"b")");
    spdlog::get(kAccessLoggerName)->info("");
  });
  REQUIRE(lines.size() == 4);
  std::vector<json::object> objects;
  for (const std::string& line : lines) {
    INFO(line);
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    REQUIRE(!ec);
    REQUIRE(v.is_object());
    objects.push_back(v.as_object());
  }
  for (const json::object& o : objects) {
    REQUIRE(o.contains("ts"));
    CHECK(std::regex_match(std::string(o.at("ts").as_string()), kTimestamp));
  }
  CHECK(objects[0].at("level") == "info");
  CHECK(objects[0].at("msg") ==
        "he said \"hi\"\\\nnext line\ttab \x01 caf\xc3\xa9 bad \xef\xbf\xbd end");
  CHECK(objects[1].at("level") == "warning");
  CHECK(objects[1].at("msg") == "careful");
  CHECK(objects[2].at("msg") == "request");
  CHECK(objects[2].at("request_id") == "ab12");
  CHECK(objects[2].at("status") == 200);
  CHECK(objects[2].at("tenant") == "a\"b");
  CHECK(objects[3].at("msg") == "request");
  CHECK(objects[3].size() == 3);
  // Members in a stable order, ts first.
  CHECK(lines[1].starts_with(R"({"ts":")"));
}

TEST_CASE("text logs keep the timestamp, level, message layout", "[unit]") {
  RestoreLogging restore;
  const auto lines = capture_stderr([] {
    init_logging("debug", LogFormat::kText);
    spdlog::debug("hello {}", 42);
    spdlog::get(kAccessLoggerName)->info("GET /v1/objects 200 1.234 ms");
  });
  REQUIRE(lines.size() == 2);
  const std::regex debug_line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z debug hello 42)");
  CHECK(std::regex_match(lines[0], debug_line));
  const std::regex access_line(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z info GET /v1/objects 200 1\.234 ms)");
  CHECK(std::regex_match(lines[1], access_line));
}

TEST_CASE("init_logging can be called again and keeps the old signature", "[unit]") {
  RestoreLogging restore;
  const auto lines = capture_stderr([] {
    init_logging("error");
    init_logging("info");
    spdlog::info("once");
    REQUIRE(spdlog::get(kAccessLoggerName) != nullptr);
  });
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].ends_with(" info once"));
}

}  // namespace
}  // namespace castor
