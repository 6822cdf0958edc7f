#include "client/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

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

void draw(const std::string& line) {
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
}

}  // namespace

Progress::Progress(ProgressStyle style, std::string phase, std::uint64_t files_total,
                   std::uint64_t bytes_total)
    : style_(style),
      phase_(std::move(phase)),
      files_total_(files_total),
      bytes_total_(bytes_total),
      start_(std::chrono::steady_clock::now()) {
  if (style_ == ProgressStyle::kBar) {
    ticker_ = std::thread([this] { run_ticker(); });
  }
}

Progress::~Progress() { finish(); }

ProgressSnapshot Progress::snapshot() const {
  const std::int64_t bytes = bytes_done_.load(std::memory_order_relaxed);
  return {.phase = phase_,
          .files_done = files_done_.load(std::memory_order_relaxed),
          .files_total = files_total_,
          .bytes_done = bytes > 0 ? static_cast<std::uint64_t>(bytes) : 0,
          .bytes_total = bytes_total_,
          .elapsed_seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()};
}

void Progress::run_ticker() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    draw(render_bar(snapshot(), terminal_width() - 1));
    wake_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void Progress::finish() {
  if (finished_) {
    return;
  }
  finished_ = true;
  if (ticker_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    ticker_.join();
    draw(render_bar(snapshot(), terminal_width() - 1));
    std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "%s\n", render_summary(snapshot()).c_str());
  }
}

ProgressStyle progress_style(bool quiet) {
  return !quiet && ::isatty(STDERR_FILENO) == 1 ? ProgressStyle::kBar : ProgressStyle::kLines;
}

}  // namespace castor::client
