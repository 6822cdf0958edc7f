#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "chaos/blob_ledger.h"
#include "chaos/ledger.h"

// The chaos run's client load: worker threads that upload new and duplicate content, download,
// delete, list and collect garbage against whichever of the castor processes they pick, and
// record what they were told in the Ledger; a share of their operations go to blobs, bundles and
// upload sessions (load_blobs.h), recorded in the BlobLedger. Anything a worker sees that castor
// must never do (wrong bytes, a missing acknowledged object, an unexpected 4xx) is a failure.
namespace castor::chaos {

// Where the castor processes listen right now (0: down). Thread-safe.
class Endpoints {
 public:
  explicit Endpoints(std::size_t count) : ports_(count) {}
  std::size_t count() const { return ports_.size(); }
  std::uint16_t port(std::size_t server) const { return ports_.at(server).load(); }
  void set_port(std::size_t server, std::uint16_t port) { ports_.at(server).store(port); }

 private:
  std::vector<std::atomic<std::uint16_t>> ports_;
};

// The port of a random server that is up, or 0 (after a short pause) if none is.
std::uint16_t pick_port(const Endpoints& endpoints, std::mt19937_64& rng);

// Failures, and counts of what the workers saw (by "operation status"). Thread-safe.
class Observations {
 public:
  void fail(std::string failure);
  void count(const std::string& what);
  // Something worth reporting that is not a failure (e.g. the body of a 500); the first few
  // distinct ones are kept.
  void note(std::string finding);
  std::vector<std::string> failures() const;
  std::vector<std::string> findings() const;
  std::map<std::string, std::uint64_t> counters() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;              // guarded by mutex_
  std::vector<std::string> findings_;              // guarded by mutex_
  std::map<std::string, std::uint64_t> counters_;  // guarded by mutex_
};

struct LoadSettings {
  std::string ns = "chaos";
  std::string tenant = "chaos";
  int workers = 6;
  std::uint64_t seed = 1;
  std::size_t max_live_objects = 120;          // past this, workers delete instead of uploading
  std::uint64_t max_live_bytes = 16ull << 20;  // likewise
  int blob_share = 20;  // percent of the operations that go to blobs, bundles and uploads
};

// Content that several uploads share (dedup hits), made once from the seed.
struct Content {
  std::string bytes;
  std::string hash;  // lowercase hex SHA-256
};
Content make_content(std::mt19937_64& rng, std::size_t size);

// Runs the workers from construction to destruction; pause() and resume() let the fault thread
// check invariants with no request in flight.
class Load {
 public:
  Load(LoadSettings settings, const Endpoints& endpoints, Ledger& ledger, BlobLedger& blob_ledger,
       Observations& observations);
  ~Load();
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  const LoadSettings& settings() const { return settings_; }

  // Returns once no worker is inside an operation; they wait until resume().
  void pause();
  void resume();

 private:
  void run(int worker);
  void one_operation(int worker, std::mt19937_64& rng, std::uint64_t& serial);
  void upload(int worker, std::mt19937_64& rng, std::uint64_t& serial);
  void download(std::mt19937_64& rng);
  void remove(std::mt19937_64& rng);
  void list(std::mt19937_64& rng);
  void collect_garbage(std::mt19937_64& rng);

  const LoadSettings settings_;
  const Endpoints& endpoints_;
  Ledger& ledger_;
  BlobLedger& blob_ledger_;
  Observations& observations_;
  std::vector<Content> shared_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool paused_ = false;  // guarded by mutex_
  bool stop_ = false;    // guarded by mutex_
  int busy_ = 0;         // workers inside an operation, guarded by mutex_
  std::vector<std::jthread> threads_;
};

}  // namespace castor::chaos
