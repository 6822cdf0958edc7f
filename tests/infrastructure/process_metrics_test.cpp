#include "infrastructure/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

namespace castor {
namespace {

// name -> value of each sample; checks that every family has one HELP and one TYPE line.
std::map<std::string, double> parse_samples(const std::string& text) {
  std::map<std::string, double> samples;
  std::map<std::string, int> help, type;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    INFO(line);
    if (line.starts_with("# HELP ")) {
      ++help[line.substr(7, line.find(' ', 7) - 7)];
    } else if (line.starts_with("# TYPE ")) {
      ++type[line.substr(7, line.find(' ', 7) - 7)];
    } else {
      const auto space = line.find(' ');
      REQUIRE(space != std::string::npos);
      const std::string name = line.substr(0, space);
      REQUIRE(help.contains(name));
      REQUIRE(type.contains(name));
      samples[name] = std::stod(line.substr(space + 1));
    }
  }
  for (const auto& [name, n] : help) {
    CHECK(n == 1);
    CHECK(type[name] == 1);
  }
  return samples;
}

TEST_CASE("process metrics describe this process", "[unit]") {
  const std::string text = render_process_metrics();
  REQUIRE(text.ends_with("\n"));
  CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  CHECK(text.find("# TYPE process_resident_memory_bytes gauge\n") != std::string::npos);
  auto samples = parse_samples(text);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    INFO(name);
    REQUIRE(samples.contains(name));
  }
  CHECK(samples["process_resident_memory_bytes"] > 1e5);
  CHECK(samples["process_virtual_memory_bytes"] >= samples["process_resident_memory_bytes"]);
  CHECK(samples["process_cpu_seconds_total"] >= 0);
  CHECK(samples["process_open_fds"] >= 3);
  CHECK(samples["process_max_fds"] >= samples["process_open_fds"]);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(samples["process_start_time_seconds"] <= now + 1);
  CHECK(samples["process_start_time_seconds"] > now - 86400 * 365);
}

TEST_CASE("process_open_fds follows opened descriptors", "[unit]") {
  const double before = parse_samples(render_process_metrics())["process_open_fds"];
  const int fd = open("/dev/null", O_RDONLY);
  REQUIRE(fd >= 0);
  const double during = parse_samples(render_process_metrics())["process_open_fds"];
  close(fd);
  CHECK(during == before + 1);
}

}  // namespace
}  // namespace castor
