#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "e2e/failure_log.h"
#include "support/random_data.h"

// The client side of the crash test: threads that upload, move, delete and collect garbage against
// one server until it is killed, and a ledger of what each request was told.
namespace castor::e2e {

// What an upload's client can know about its fate.
enum class UploadOutcome {
  kCommitted,  // 201: must be stored intact
  kRejected,   // part of the body never left the client, or the server refused: must not exist
  kUnknown,    // the whole body was sent but no answer came: either is fine, intact if stored
};

enum class DeleteOutcome {
  kNotTried,
  kDeleted,  // 204: must be gone
  kUnknown,  // no answer: either is fine
};

struct UploadRecord {
  std::string key{};
  std::string hash{};
  UploadOutcome outcome = UploadOutcome::kUnknown;
  std::string id{};  // if kCommitted
  int round = 0;
  DeleteOutcome deleted = DeleteOutcome::kNotTried;
  // Where the object's content is, as the last storage-class move's answer said ("hot" after the
  // upload); class_known false while a move's answer is missing (it was in flight at the kill).
  std::string storage_class = "hot";
  bool class_known = true;
  int moves = 0;  // acknowledged storage-class moves
};

// Every upload and delete of the test, across rounds. Thread-safe.
class Ledger {
 public:
  void add(UploadRecord record);
  // Indices of uploads committed before `round` and not yet deleted.
  std::vector<std::size_t> deletable_before(int round) const;
  UploadRecord get(std::size_t index) const;
  void set_deleted(std::size_t index, DeleteOutcome outcome);
  // Indices of uploads committed in `round` (which the deleter of that round never touches).
  std::vector<std::size_t> committed_in(int round) const;
  void set_storage_class(std::size_t index, std::string storage_class, bool known);
  std::vector<UploadRecord> all() const;

 private:
  mutable std::mutex mutex_;
  std::deque<UploadRecord> records_;  // guarded by mutex_
};

// One server lifetime: the workers report progress; the test waits for a randomly chosen point
// of progress, marks the round killed and sends SIGKILL. Thread-safe.
class CrashRound {
 public:
  CrashRound(std::uint16_t port, int number) : port_(port), number_(number) {}

  std::uint16_t port() const { return port_; }
  int number() const { return number_; }

  // After this, network errors are expected rather than failures.
  void mark_killed() { killed_ = true; }
  bool killed() const { return killed_; }

  void upload_acknowledged();
  // A large upload has now sent `fraction` (0..1) of its body.
  void large_upload_progress(double fraction);

  // Waits until at least `acknowledged` uploads got their 201 and then a large upload reports
  // having sent at least `large_fraction` of its body (1.0: all of it, the server is committing),
  // or until `deadline` passes.
  void wait_for_progress(int acknowledged, double large_fraction,
                         std::chrono::steady_clock::time_point deadline);

 private:
  const std::uint16_t port_;
  const int number_;
  std::atomic<bool> killed_{false};
  std::mutex mutex_;
  std::condition_variable progressed_;
  int acknowledged_ = 0;         // guarded by mutex_
  double large_fraction_ = 0.0;  // the latest report of any large upload; guarded by mutex_
};

struct WorkloadContext {
  CrashRound& round;
  Ledger& ledger;
  FailureLog& failures;
  const std::vector<testing::RandomContent>& shared_contents;
  std::string tenant;
  // Large uploads are 1 .. large_max_mib MiB (above the S3 backend's 5 MiB part size they go as
  // multipart uploads to a temp key).
  std::size_t large_max_mib = 4;
};

// Uploads until the server dies: small objects, or (if `large`) multi-MiB objects sent slowly in
// pieces, some of them shared contents. Each upload uses a new connection.
void run_uploader(const WorkloadContext& context, int worker, bool large);

// Deletes uploads committed in earlier rounds until the server dies or none are left.
void run_deleter(const WorkloadContext& context);

// Moves objects committed in this round between hot and cold (POST /v1/objects/{id}/storage-class)
// until the server dies, recording each answer in the ledger.
void run_mover(const WorkloadContext& context);

// Runs GC cycles until the server dies.
void run_collector(const WorkloadContext& context);

}  // namespace castor::e2e
