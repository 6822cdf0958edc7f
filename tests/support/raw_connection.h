#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace castor::testing {

// One TCP connection to 127.0.0.1:port driven byte by byte (POSIX sockets), for tests of how the
// server treats connections rather than requests: slow senders, held-open sockets, refusals.
// Every wait is bounded by its timeout. Not thread-safe.
class RawConnection {
 public:
  // Connects; throws std::runtime_error if it cannot.
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes`; false if the connection failed (reset, closed by the server).
  bool send(std::string_view bytes);
  // Reads one whole response (header and a Content-Length body); "" if none came within
  // `timeout` or the connection ended first. Bytes after it stay for the next call.
  std::string read_response(std::chrono::milliseconds timeout);
  // Waits until the server closes (EOF or reset), collecting what it sent. True if it closed
  // within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  // Everything received so far and not returned by read_response().
  const std::string& received() const { return received_; }
  void close();

 private:
  // Reads what is available within `timeout`; false on EOF/error or timeout with nothing read.
  bool read_some(std::chrono::milliseconds timeout);

  int fd_ = -1;
  bool ended_ = false;  // EOF or error seen
  std::string received_;
};

// From /proc/<pid>: resident memory (VmRSS) in bytes, CPU time (user + system) in seconds, and the
// soft limit on open files.
std::uint64_t resident_bytes(int pid);
double cpu_seconds(int pid);
std::uint64_t open_files_limit(int pid);

}  // namespace castor::testing
