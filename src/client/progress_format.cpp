#include "client/progress_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace castor::client {

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) {
    return std::to_string(bytes) + " B";
  }
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", std::floor(value * 10.0) / 10.0, kUnits[unit]);
  return text;
}

std::string format_rate(std::uint64_t bytes, double seconds) {
  if (!(seconds > 0)) {
    return "-";
  }
  return format_bytes(static_cast<std::uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
}

std::string format_eta(std::optional<double> seconds) {
  if (!seconds || !(*seconds >= 0) || *seconds > 100.0 * 3600.0) {
    return "--:--";
  }
  const auto total = static_cast<long>(std::ceil(*seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

std::optional<double> eta_seconds(const ProgressSnapshot& snapshot) {
  if (snapshot.bytes_done == 0 || !(snapshot.elapsed_seconds > 0) || !snapshot.totals_final) {
    return std::nullopt;
  }
  const std::uint64_t left =
      snapshot.bytes_total > snapshot.bytes_done ? snapshot.bytes_total - snapshot.bytes_done : 0;
  const double rate = static_cast<double>(snapshot.bytes_done) / snapshot.elapsed_seconds;
  return static_cast<double>(left) / rate;
}

std::string render_bar(const ProgressSnapshot& snapshot, int width) {
  char phase[16];
  std::snprintf(phase, sizeof phase, "%-11s", snapshot.phase.c_str());
  const char* more = snapshot.totals_final ? "" : "+";
  const std::string tail = "  " + std::to_string(snapshot.files_done) + "/" +
                           std::to_string(snapshot.files_total) + more + " files  " +
                           format_bytes(snapshot.bytes_done) + "/" +
                           format_bytes(snapshot.bytes_total) + more + "  " +
                           format_rate(snapshot.bytes_done, snapshot.elapsed_seconds) + "  ETA " +
                           format_eta(eta_seconds(snapshot));
  const int bar_width =
      std::min(30, width - static_cast<int>(std::string(phase).size() + tail.size()) - 2);
  std::string line = phase;
  if (bar_width >= 5) {
    const double fraction =
        snapshot.bytes_total == 0
            ? (snapshot.files_total == 0 ? (snapshot.totals_final ? 1.0 : 0.0)
                                         : static_cast<double>(snapshot.files_done) /
                                               static_cast<double>(snapshot.files_total))
            : static_cast<double>(snapshot.bytes_done) / static_cast<double>(snapshot.bytes_total);
    const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * bar_width);
    line += "[";
    line += std::string(static_cast<std::size_t>(filled), '=');
    if (filled < bar_width) {
      line += ">";
      line += std::string(static_cast<std::size_t>(bar_width - filled - 1), ' ');
    }
    line += "]";
  }
  line += tail;
  if (width > 0 && line.size() > static_cast<std::size_t>(width)) {
    line.resize(static_cast<std::size_t>(width));
  }
  return line;
}

std::string render_summary(const ProgressSnapshot& snapshot) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", snapshot.elapsed_seconds);
  return snapshot.phase + ": " + std::to_string(snapshot.files_done) + " files, " +
         format_bytes(snapshot.bytes_done) + " in " + seconds + " s (" +
         format_rate(snapshot.bytes_done, snapshot.elapsed_seconds) + ")";
}

}  // namespace castor::client
