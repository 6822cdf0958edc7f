#include "client/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace castor::client {
namespace {

int terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

}  // namespace

ProgressBoard::ProgressBoard(ProgressStyle style) : style_(style) {
  if (style_ == ProgressStyle::kBar) {
    ticker_ = std::thread([this] { run_ticker(); });
  }
}

ProgressBoard::~ProgressBoard() { stop(); }

void ProgressBoard::attach(const Progress* phase) {
  std::lock_guard lock(mutex_);
  lines_.push_back({.live = phase});
}

void ProgressBoard::finished(const Progress* phase, const ProgressSnapshot& last) {
  std::lock_guard lock(mutex_);
  for (Line& line : lines_) {
    if (line.live == phase) {
      line.live = nullptr;
      line.last = last;
    }
  }
  if (style_ == ProgressStyle::kLines) {
    std::fprintf(stderr, "%s\n", render_summary(last).c_str());
  }
}

void ProgressBoard::draw() {
  if (lines_.empty()) {
    return;
  }
  const int width = terminal_width() - 1;
  std::string out;
  if (lines_drawn_ > 1) {
    out += "\x1b[" + std::to_string(lines_drawn_ - 1) + "A";  // up to the first line
  }
  out += "\r";
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (i > 0) {
      out += "\n";
    }
    const Line& line = lines_[i];
    out += render_bar(line.live != nullptr ? line.live->snapshot() : line.last, width);
    out += "\x1b[K";
  }
  lines_drawn_ = lines_.size();
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressBoard::run_ticker() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    draw();
    wake_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void ProgressBoard::stop() {
  if (!ticker_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  ticker_.join();
  std::lock_guard lock(mutex_);
  draw();
  if (lines_drawn_ > 0) {
    std::fputc('\n', stderr);
  }
}

Progress::Progress(ProgressStyle style, std::string phase, std::uint64_t files_total,
                   std::uint64_t bytes_total)
    : own_board_(std::make_unique<ProgressBoard>(style)),
      board_(*own_board_),
      phase_(std::move(phase)),
      start_(std::chrono::steady_clock::now()),
      files_total_(files_total),
      bytes_total_(bytes_total),
      totals_final_(true) {
  board_.attach(this);
}

Progress::Progress(ProgressBoard& board, std::string phase, std::uint64_t files_total,
                   std::uint64_t bytes_total, bool totals_final)
    : board_(board),
      phase_(std::move(phase)),
      start_(std::chrono::steady_clock::now()),
      files_total_(files_total),
      bytes_total_(bytes_total),
      totals_final_(totals_final) {
  board_.attach(this);
}

Progress::~Progress() { finish(); }

ProgressSnapshot Progress::snapshot() const {
  const std::int64_t bytes = bytes_done_.load(std::memory_order_relaxed);
  return {.phase = phase_,
          .files_done = files_done_.load(std::memory_order_relaxed),
          .files_total = files_total_.load(std::memory_order_relaxed),
          .bytes_done = bytes > 0 ? static_cast<std::uint64_t>(bytes) : 0,
          .bytes_total = bytes_total_.load(std::memory_order_relaxed),
          .elapsed_seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
          .totals_final = totals_final_.load(std::memory_order_relaxed)};
}

void Progress::finish() {
  if (finished_.exchange(true)) {
    return;
  }
  board_.finished(this, snapshot());
  if (own_board_) {
    own_board_->stop();
  }
}

ProgressStyle progress_style(bool quiet) {
  return !quiet && ::isatty(STDERR_FILENO) == 1 ? ProgressStyle::kBar : ProgressStyle::kLines;
}

}  // namespace castor::client
