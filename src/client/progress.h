#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "client/progress_format.h"

namespace castor::client {

// How progress is shown on stderr: a bar redrawn in place (a terminal), or one plain summary line
// per finished phase (not a terminal, or --quiet).
enum class ProgressStyle { kBar, kLines };

// The progress of one phase (hashing, uploading, downloading). Counters are thread-safe; in the
// bar style a thread of its own redraws the line every 200 ms until finish().
class Progress {
 public:
  Progress(ProgressStyle style, std::string phase, std::uint64_t files_total,
           std::uint64_t bytes_total);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();  // finish()es if not done yet

  // Counts `delta` bytes (negative when a retried transfer starts over). Thread-safe.
  void add_bytes(std::int64_t delta) { bytes_done_.fetch_add(delta, std::memory_order_relaxed); }
  // Counts one finished file. Thread-safe.
  void add_file() { files_done_.fetch_add(1, std::memory_order_relaxed); }

  // Stops redrawing and prints the final line. Idempotent; call from the owning thread.
  void finish();

  ProgressSnapshot snapshot() const;

 private:
  void run_ticker();

  const ProgressStyle style_;
  const std::string phase_;
  const std::uint64_t files_total_;
  const std::uint64_t bytes_total_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<std::uint64_t> files_done_{0};
  std::atomic<std::int64_t> bytes_done_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  bool finished_ = false;
  std::thread ticker_;
};

// The style for this process: kBar when stderr is a terminal and not `quiet`, else kLines.
ProgressStyle progress_style(bool quiet);

}  // namespace castor::client
