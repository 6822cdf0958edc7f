#include "e2e/crash_workload.h"

#include <algorithm>
#include <random>
#include <thread>

#include "e2e/castor_api.h"
#include "support/http_client.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

constexpr std::size_t kPieceSize = 64 * 1024;
// Pacing of the slow uploads and of the loops (not synchronisation: nothing waits on it).
constexpr auto kPieceInterval = std::chrono::milliseconds(1);
constexpr auto kLoopInterval = std::chrono::milliseconds(10);

// Sends one upload of `content` under `key` and returns what the client learned.
UploadRecord upload_once(const WorkloadContext& context, const std::string& key,
                         const testing::RandomContent& content, bool large) {
  UploadRecord record{.key = key, .hash = content.hash, .round = context.round.number()};
  HttpClient client("127.0.0.1", context.round.port());
  bool body_sent = false;
  try {
    client.begin("POST", "/v1/objects", object_headers({.tenant = context.tenant, .key = key}),
                 HttpClient::Framing::kContentLength, content.bytes.size());
    std::size_t sent = 0;
    while (sent < content.bytes.size()) {
      const std::size_t length = std::min(kPieceSize, content.bytes.size() - sent);
      if (!client.send(std::string_view(content.bytes).substr(sent, length))) {
        break;
      }
      sent += length;
      if (large) {
        context.round.large_upload_progress(static_cast<double>(sent) /
                                            static_cast<double>(content.bytes.size()));
        std::this_thread::sleep_for(kPieceInterval);
      }
    }
    body_sent = sent == content.bytes.size();
    const HttpResponse response = client.finish();
    if (response.status == 201) {
      record.outcome = UploadOutcome::kCommitted;
      record.id = string_field(parse_object(response.body), "id");
      const std::string hash = string_field(parse_object(response.body), "content_hash");
      if (hash != "sha256:" + content.hash) {
        context.failures.add("upload " + key + " answered hash " + hash);
      }
    } else {
      record.outcome = UploadOutcome::kRejected;
      context.failures.add("upload " + key + ": " + std::to_string(response.status) + " " +
                           response.body);
    }
  } catch (const std::exception& e) {
    record.outcome = body_sent ? UploadOutcome::kUnknown : UploadOutcome::kRejected;
    if (!context.round.killed()) {
      context.failures.add("upload " + key + " failed before the kill: " + e.what());
    }
  }
  return record;
}

}  // namespace

void Ledger::add(UploadRecord record) {
  std::lock_guard lock(mutex_);
  records_.push_back(std::move(record));
}

std::vector<std::size_t> Ledger::deletable_before(int round) const {
  std::lock_guard lock(mutex_);
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].round < round && records_[i].outcome == UploadOutcome::kCommitted &&
        records_[i].deleted == DeleteOutcome::kNotTried) {
      indices.push_back(i);
    }
  }
  return indices;
}

std::vector<std::size_t> Ledger::committed_in(int round) const {
  std::lock_guard lock(mutex_);
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].round == round && records_[i].outcome == UploadOutcome::kCommitted) {
      indices.push_back(i);
    }
  }
  return indices;
}

void Ledger::set_storage_class(std::size_t index, std::string storage_class, bool known) {
  std::lock_guard lock(mutex_);
  records_.at(index).storage_class = std::move(storage_class);
  records_.at(index).class_known = known;
  records_.at(index).moves += known ? 1 : 0;
}

UploadRecord Ledger::get(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return records_.at(index);
}

void Ledger::set_deleted(std::size_t index, DeleteOutcome outcome) {
  std::lock_guard lock(mutex_);
  records_.at(index).deleted = outcome;
}

std::vector<UploadRecord> Ledger::all() const {
  std::lock_guard lock(mutex_);
  return {records_.begin(), records_.end()};
}

void CrashRound::upload_acknowledged() {
  {
    std::lock_guard lock(mutex_);
    ++acknowledged_;
  }
  progressed_.notify_all();
}

void CrashRound::large_upload_progress(double fraction) {
  {
    std::lock_guard lock(mutex_);
    large_fraction_ = fraction;
  }
  progressed_.notify_all();
}

void CrashRound::wait_for_progress(int acknowledged, double large_fraction,
                                   std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  progressed_.wait_until(lock, deadline, [&] {
    return acknowledged_ >= acknowledged && large_fraction_ >= large_fraction;
  });
}

void run_uploader(const WorkloadContext& context, int worker, bool large) {
  for (int n = 0; !context.round.killed(); ++n) {
    const std::string key = std::string("r")
                                .append(std::to_string(context.round.number()))
                                .append("/w")
                                .append(std::to_string(worker))
                                .append("/")
                                .append(std::to_string(n));
    const std::vector<testing::RandomContent>& shared = context.shared_contents;
    const bool use_shared = testing::random_between(0, 2) == 0;
    const testing::RandomContent content =
        use_shared ? shared[testing::random_between(0, shared.size() - 1)]
                   : testing::random_content(
                         large ? testing::random_between(1, context.large_max_mib) * 1024 * 1024
                               : testing::random_between(0, 64 * 1024));
    const UploadRecord record = upload_once(context, key, content, large);
    const bool committed = record.outcome == UploadOutcome::kCommitted;
    context.ledger.add(record);
    if (!committed) {
      return;
    }
    context.round.upload_acknowledged();
  }
}

void run_deleter(const WorkloadContext& context) {
  std::vector<std::size_t> candidates = context.ledger.deletable_before(context.round.number());
  std::shuffle(candidates.begin(), candidates.end(), std::mt19937(std::random_device{}()));
  candidates.resize(std::min<std::size_t>(candidates.size(), 10));
  HttpClient client("127.0.0.1", context.round.port());
  for (std::size_t index : candidates) {
    if (context.round.killed()) {
      return;
    }
    const UploadRecord record = context.ledger.get(index);
    try {
      const HttpResponse response = by_id(client, "DELETE", record.id, context.tenant);
      if (response.status != 204) {
        context.failures.add("delete " + record.key + ": " + std::to_string(response.status));
        return;
      }
      context.ledger.set_deleted(index, DeleteOutcome::kDeleted);
    } catch (const std::exception& e) {
      context.ledger.set_deleted(index, DeleteOutcome::kUnknown);
      if (!context.round.killed()) {
        context.failures.add("delete " + record.key + " failed before the kill: " + e.what());
      }
      return;
    }
    std::this_thread::sleep_for(kLoopInterval);
  }
}

void run_mover(const WorkloadContext& context) {
  HttpClient client("127.0.0.1", context.round.port());
  while (!context.round.killed()) {
    const std::vector<std::size_t> candidates = context.ledger.committed_in(context.round.number());
    if (candidates.empty()) {
      std::this_thread::sleep_for(kLoopInterval);
      continue;
    }
    const std::size_t index = candidates[testing::random_between(0, candidates.size() - 1)];
    const UploadRecord record = context.ledger.get(index);
    const std::string target = record.storage_class == "hot" ? "cold" : "hot";
    context.ledger.set_storage_class(index, record.storage_class, false);  // in flight
    try {
      const HttpResponse response =
          client.request("POST", "/v1/objects/" + record.id + "/storage-class",
                         {{"X-Tenant", context.tenant}, {"Content-Type", "application/json"}},
                         R"({"storage_class": ")" + target + R"("})");
      if (response.status != 200) {
        context.failures.add("move " + record.key + ": " + std::to_string(response.status) + " " +
                             response.body);
        return;
      }
      const std::string now = string_field(parse_object(response.body), "storage_class");
      if (now != target) {
        context.failures.add("move " + record.key + " answered class " + now);
      }
      context.ledger.set_storage_class(index, now, true);
    } catch (const std::exception& e) {
      if (!context.round.killed()) {
        context.failures.add("move " + record.key + " failed before the kill: " + e.what());
      }
      return;
    }
    std::this_thread::sleep_for(kLoopInterval);
  }
}

void run_collector(const WorkloadContext& context) {
  HttpClient client("127.0.0.1", context.round.port());
  while (!context.round.killed()) {
    try {
      const HttpResponse response = client.request("POST", "/v1/admin/gc");
      if (response.status != 200) {
        context.failures.add("gc: " + std::to_string(response.status) + " " + response.body);
        return;
      }
    } catch (const std::exception& e) {
      if (!context.round.killed()) {
        context.failures.add(std::string("gc failed before the kill: ") + e.what());
      }
      return;
    }
    std::this_thread::sleep_for(kLoopInterval);
  }
}

}  // namespace castor::e2e
