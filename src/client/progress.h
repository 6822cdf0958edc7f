#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/progress_format.h"

namespace castor::client {

// How progress is shown on stderr: bars redrawn in place (a terminal), or one plain summary line
// per finished phase (not a terminal, or --quiet).
enum class ProgressStyle { kBar, kLines };

class Progress;

// Where phases that run at the same time (a push hashes and uploads at once) are shown: in the
// bar style one line per phase, redrawn in place every 200 ms by a thread of its own until
// stop(); in the lines style each phase prints its summary line when it finishes. Phases attach
// themselves (Progress's constructor). Thread-safe.
class ProgressBoard {
 public:
  explicit ProgressBoard(ProgressStyle style);
  ProgressBoard(const ProgressBoard&) = delete;
  ProgressBoard& operator=(const ProgressBoard&) = delete;
  ~ProgressBoard();  // stop()s

  ProgressStyle style() const { return style_; }

  // Bar style: stops redrawing, draws every phase's last state and ends the lines. Idempotent.
  void stop();

 private:
  friend class Progress;
  struct Line {
    const Progress* live = nullptr;  // null once the phase finished
    ProgressSnapshot last{};         // its state when it finished
  };

  void attach(const Progress* phase);
  // Freezes `phase`'s line at `last` (bar style) or prints its summary (lines style).
  void finished(const Progress* phase, const ProgressSnapshot& last);
  void run_ticker();
  void draw();  // with mutex_ held

  const ProgressStyle style_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Line> lines_;      // guarded by mutex_
  std::size_t lines_drawn_ = 0;  // guarded by mutex_: lines on screen, the cursor on the last
  bool stopping_ = false;        // guarded by mutex_
  std::thread ticker_;
};

// The progress of one phase (hashing, uploading, downloading). Counters are thread-safe.
class Progress {
 public:
  // A phase shown on its own (a board of its own, stopped by finish()).
  Progress(ProgressStyle style, std::string phase, std::uint64_t files_total,
           std::uint64_t bytes_total);
  // A phase shown on `board`, which must outlive it. `totals_final` false: the totals grow with
  // add_total() until close_totals() (the bar shows them with a '+' and no ETA meanwhile).
  Progress(ProgressBoard& board, std::string phase, std::uint64_t files_total,
           std::uint64_t bytes_total, bool totals_final = true);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();  // finish()es if not done yet

  // Counts `delta` bytes (negative when a retried transfer starts over). Thread-safe.
  void add_bytes(std::int64_t delta) { bytes_done_.fetch_add(delta, std::memory_order_relaxed); }
  // Counts one finished file. Thread-safe.
  void add_file() { files_done_.fetch_add(1, std::memory_order_relaxed); }
  // Adds to the totals (work found as the phase goes). Thread-safe.
  void add_total(std::uint64_t files, std::uint64_t bytes) {
    files_total_.fetch_add(files, std::memory_order_relaxed);
    bytes_total_.fetch_add(bytes, std::memory_order_relaxed);
  }
  // The totals will not grow any more. Thread-safe.
  void close_totals() { totals_final_.store(true, std::memory_order_relaxed); }

  // Ends the phase: its elapsed time stops; in the lines style its summary line is printed. A
  // phase of its own also stops its board. Idempotent; thread-safe.
  void finish();

  ProgressSnapshot snapshot() const;

 private:
  std::unique_ptr<ProgressBoard> own_board_;  // set for a phase shown on its own
  ProgressBoard& board_;
  const std::string phase_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<std::uint64_t> files_total_;
  std::atomic<std::uint64_t> bytes_total_;
  std::atomic<bool> totals_final_;
  std::atomic<std::uint64_t> files_done_{0};
  std::atomic<std::int64_t> bytes_done_{0};
  std::atomic<bool> finished_{false};
};

// The style for this process: kBar when stderr is a terminal and not `quiet`, else kLines.
ProgressStyle progress_style(bool quiet);

}  // namespace castor::client
