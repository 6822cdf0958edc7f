#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace castor::testing {

// What FaultProxy does to one request instead of (or while) forwarding it.
struct Fault {
  enum class Kind {
    kRespond,     // answer `status` with an S3 <Error> body of `s3_code`, without forwarding
    kResetAfter,  // forward, relay `after_bytes` bytes of the response (head included), then
                  // reset the client's connection (RST)
    kTruncate,    // forward, relay the response head and half of its Content-Length body, then
                  // close the client's connection (FIN): a body shorter than promised
    kDelay,       // wait `delay` before forwarding (longer than the client's timeout: a stall)
  };
  Kind kind = Kind::kRespond;
  std::string method = {};           // the request's method, or "" for any
  std::string target_contains = {};  // a substring of the request-target, or "" for any
  int status = 503;
  std::string s3_code = "SlowDown";
  std::size_t after_bytes = 0;
  std::chrono::milliseconds delay{0};
  int times = 1;  // how many matching requests get it

  static Fault respond(int status, std::string s3_code, int times = 1);
  static Fault reset_after(std::size_t bytes, int times = 1);
  static Fault truncate(int times = 1);
  static Fault stall(std::chrono::milliseconds delay, int times = 1);
  // Restricts the fault to requests of `method` whose target contains `text`.
  Fault only(std::string method, std::string text = {}) &&;
};

// A TCP proxy on 127.0.0.1 (a port of its own) in front of an HTTP/1.1 server on
// 127.0.0.1:upstream_port, with faults injected into chosen requests, for tests of a client's
// retries (LevelDB's fault_injection_test, at the network level). Each client connection carries
// one request: the proxy forwards it upstream on a fresh connection with "Connection: close",
// relays the response, and closes (the client reconnects for the next request). Requests and
// their bodies are framed by Content-Length (no chunked requests). It runs Boost.Asio on a thread
// of its own; the methods below are thread-safe. The destructor stops it, abandoning what is in
// flight.
class FaultProxy {
 public:
  explicit FaultProxy(std::uint16_t upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>".
  std::string endpoint() const;

  // Queues `fault`: the first queued fault that matches a request applies to it, `times` times.
  void inject(Fault fault);
  // Drops every queued fault.
  void clear_faults();
  // Requests seen (whole request heads read from clients), and the faults applied to them, since
  // construction or reset_counts().
  std::size_t requests() const;
  std::size_t faults_applied() const;
  // The request lines seen ("PUT /bucket/key?partNumber=1 HTTP/1.1"), oldest first.
  std::vector<std::string> request_lines() const;
  void reset_counts();

  // The proxy's io_context, acceptor, thread and fault queue (fault_proxy.cpp).
  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace castor::testing
