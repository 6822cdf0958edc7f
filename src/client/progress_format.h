#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace castor::client {

// Where a phase (hashing, uploading, downloading) stands.
struct ProgressSnapshot {
  std::string phase{};  // a verb in -ing form: "hashing"
  std::uint64_t files_done = 0;
  std::uint64_t files_total = 0;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  double elapsed_seconds = 0;
  bool totals_final = true;  // false: more work may still be added to the totals
};

// Bytes in binary units with one decimal: "0 B", "512 B", "1.5 KiB", "3.0 GiB".
std::string format_bytes(std::uint64_t bytes);

// A transfer rate: format_bytes(rate) + "/s"; "-" when no time has passed.
std::string format_rate(std::uint64_t bytes, double seconds);

// A duration as "m:ss" or "h:mm:ss"; "--:--" when unknown (nullopt, negative or absurdly long).
std::string format_eta(std::optional<double> seconds);

// The estimated seconds left: the bytes still to go at the rate so far; nullopt before any byte
// was done, or while the totals may still grow.
std::optional<double> eta_seconds(const ProgressSnapshot& snapshot);

// One terminal line of at most `width` columns (the bar shrinks to fit):
// "hashing    [=======>      ]  42/203 files  1.2 MiB/4.0 MiB  3.4 MiB/s  ETA 0:01"; while the
// totals may still grow they end in '+' ("42/203+ files  1.2 MiB/4.0 MiB+").
std::string render_bar(const ProgressSnapshot& snapshot, int width);

// The plain line for a finished phase: "hashing: 203 files, 4.0 MiB in 0.3 s (13.3 MiB/s)".
std::string render_summary(const ProgressSnapshot& snapshot);

}  // namespace castor::client
