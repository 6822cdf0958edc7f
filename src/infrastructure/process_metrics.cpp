#include "infrastructure/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace castor {
namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return std::nullopt;
  }
  return text;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// The fields of /proc/self/stat after the command name (which may contain spaces and parentheses,
// hence the last ')'): [0] is field 3 (state) of proc(5), so field N is at [N - 3].
std::vector<std::string_view> stat_fields(std::string_view stat) {
  std::vector<std::string_view> fields;
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) {
    return fields;
  }
  stat.remove_prefix(close + 1);
  while (!stat.empty()) {
    const auto start = stat.find_first_not_of(" \n");
    if (start == std::string_view::npos) {
      break;
    }
    stat.remove_prefix(start);
    const auto end = std::min(stat.find_first_of(" \n"), stat.size());
    fields.push_back(stat.substr(0, end));
    stat.remove_prefix(end);
  }
  return fields;
}

std::optional<std::uint64_t> stat_field(const std::vector<std::string_view>& fields, int number) {
  const auto index = static_cast<std::size_t>(number - 3);
  if (index >= fields.size()) {
    return std::nullopt;
  }
  return parse_uint(fields[index]);
}

// The boot time (Unix seconds) from /proc/stat's "btime" line.
std::optional<std::uint64_t> boot_time() {
  auto text = read_file("/proc/stat");
  if (!text) {
    return std::nullopt;
  }
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("btime ", 0) == 0) {
      return parse_uint(std::string_view(line).substr(6));
    }
  }
  return std::nullopt;
}

// Entries of /proc/self/fd, without the descriptor used to list them.
std::optional<std::uint64_t> open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return std::nullopt;
  }
  const std::string own = std::to_string(dirfd(dir));
  std::uint64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != ".." && name != own) {
      ++count;
    }
  }
  closedir(dir);
  return count;
}

void append_double(std::string& out, double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ec == std::errc() ? end : buf);
}

void family(std::string& out, const char* name, const char* type, const char* help,
            std::optional<double> value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  if (value) {
    out.append(name).append(" ");
    append_double(out, *value);
    out.append("\n");
  }
}

}  // namespace

std::string render_process_metrics() {
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  const long page_size = sysconf(_SC_PAGESIZE);
  std::optional<double> resident, virtual_bytes, cpu_seconds, start_time, max_fds;

  if (auto stat = read_file("/proc/self/stat")) {
    const auto fields = stat_fields(*stat);
    const auto utime = stat_field(fields, 14);
    const auto stime = stat_field(fields, 15);
    const auto start_ticks = stat_field(fields, 22);
    const auto vsize = stat_field(fields, 23);
    const auto rss_pages = stat_field(fields, 24);
    if (utime && stime && ticks_per_second > 0) {
      cpu_seconds = static_cast<double>(*utime + *stime) / static_cast<double>(ticks_per_second);
    }
    if (vsize) {
      virtual_bytes = static_cast<double>(*vsize);
    }
    if (rss_pages && page_size > 0) {
      resident = static_cast<double>(*rss_pages) * static_cast<double>(page_size);
    }
    if (auto boot = boot_time(); boot && start_ticks && ticks_per_second > 0) {
      start_time = static_cast<double>(*boot) +
                   static_cast<double>(*start_ticks) / static_cast<double>(ticks_per_second);
    }
  }
  std::optional<double> fds;
  if (auto n = open_fds()) {
    fds = static_cast<double>(*n);
  }
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    max_fds = static_cast<double>(limit.rlim_cur);
  }

  std::string out;
  family(out, "process_cpu_seconds_total", "counter",
         "Total user and system CPU time spent in seconds.", cpu_seconds);
  family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", resident);
  family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
         virtual_bytes);
  family(out, "process_open_fds", "gauge", "Number of open file descriptors.", fds);
  family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", max_fds);
  family(out, "process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds.", start_time);
  return out;
}

}  // namespace castor
