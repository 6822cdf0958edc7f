#include "chaos/checks.h"

#include <set>
#include <stdexcept>
#include <thread>

#include <boost/json/parse.hpp>

#include "chaos/shell.h"
#include "e2e/inline_state.h"
#include "e2e/storage_state.h"
#include "support/http_client.h"
#include "support/sha256.h"

namespace castor::chaos {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr auto kRequestTimeout = std::chrono::seconds(20);

// One GC cycle; true if it did nothing. Throws if castor does not answer 200 with the counts.
bool gc_was_idle(HttpClient& client) {
  const HttpResponse response = client.request("POST", "/v1/admin/gc");
  if (response.status != 200) {
    throw std::runtime_error("POST /v1/admin/gc: " + std::to_string(response.status) + " " +
                             response.body.substr(0, 200));
  }
  const boost::json::value counts = boost::json::parse(response.body);
  for (const auto& [name, value] : counts.as_object()) {
    if (!value.is_number() || value.to_number<double>() != 0) {
      return false;
    }
  }
  return true;
}

// `castor fsck` on the target's storage; empty if it exits 0.
std::vector<std::string> run_fsck(const CheckTarget& target, std::string& summary) {
  const auto [status, output] =
      run_command("env DATABASE_URL=" + shell_quote(target.database_url) +
                  " HOT_STORAGE_PATH=" + shell_quote((target.storage_root / "hot").string()) +
                  " COLD_STORAGE_PATH=" + shell_quote((target.storage_root / "cold").string()) +
                  " " + shell_quote(target.castor_binary.string()) + " fsck");
  if (const auto at = output.rfind("fsck: "); at != std::string::npos) {
    summary = output.substr(at, output.find('\n', at) - at);
  }
  if (status == 0) {
    return {};
  }
  return {"castor fsck exited " + std::to_string(status) + ":\n" + output.substr(0, 4000)};
}

bool exact(const HttpResponse& response, const ObjectRecord& record) {
  return response.body.size() == record.size && testing::sha256_hex(response.body) == record.hash;
}

std::string by_key(const CheckTarget& target, const std::string& key) {
  return "/v1/objects/by-key/" + target.ns + "/" + target.tenant + "/" +
         testing::percent_encode(key, /*keep_slashes=*/true);
}

// Every object the tenant lists: key -> content hash ("sha256:...").
std::map<std::string, std::string> list_all(const CheckTarget& target, HttpClient& client) {
  std::map<std::string, std::string> listed;
  std::string cursor;
  for (int page = 0; page < 10000; ++page) {
    std::string url =
        "/v1/objects?namespace=" + target.ns + "&tenant_id=" + target.tenant + "&limit=1000";
    if (!cursor.empty()) {
      url += "&cursor=" + testing::percent_encode(cursor);
    }
    const HttpResponse response = client.request("GET", url);
    if (response.status != 200) {
      throw std::runtime_error("GET " + url + ": " + std::to_string(response.status) + " " +
                               response.body.substr(0, 200));
    }
    const boost::json::value body = boost::json::parse(response.body);
    for (const auto& object : body.at("objects").as_array()) {
      listed[std::string(object.at("key").as_string())] =
          std::string(object.at("content_hash").as_string());
    }
    const boost::json::value& next = body.at("next_cursor");
    if (next.is_null()) {
      return listed;
    }
    cursor = std::string(next.as_string());
  }
  throw std::runtime_error("listing did not end");
}

}  // namespace

FsckMode detect_fsck(const std::filesystem::path& castor_binary) {
  const std::string binary = shell_quote(castor_binary.string());
  if (run_command(binary + " fsck --help").first == 0) {
    return FsckMode::kCastor;
  }
  const auto [status, usage] = run_command(binary + " --help");
  return status == 0 && usage.find("fsck") != std::string::npos ? FsckMode::kCastor
                                                                : FsckMode::kBuiltin;
}

StorageCheck check_storage(const CheckTarget& target, std::uint16_t port,
                           std::chrono::seconds deadline) {
  StorageCheck check;
  const auto start = std::chrono::steady_clock::now();
  HttpClient client("127.0.0.1", port, kRequestTimeout);
  for (;;) {
    std::string gc_error;
    bool idle = false;
    try {
      idle = gc_was_idle(client);
    } catch (const std::exception& e) {
      gc_error = e.what();
    }
    check.violations = e2e::path_invariant_violations(target.database_url, target.storage_root);
    if (!gc_error.empty()) {
      check.violations.push_back("GC: " + gc_error);
    }
    if ((idle && check.violations.empty()) || std::chrono::steady_clock::now() - start > deadline) {
      break;
    }
    std::this_thread::sleep_for(kPollInterval);  // poll interval for the writing timeout
  }
  check.settle_time = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (check.violations.empty() && target.fsck == FsckMode::kCastor) {
    check.violations = run_fsck(target, check.fsck_summary);
  }
  return check;
}

std::vector<std::string> check_objects(const CheckTarget& target, const Endpoints& endpoints,
                                       Ledger& ledger, std::uint64_t& stored_after_5xx) {
  std::vector<std::string> failures;
  std::vector<HttpClient> clients;
  for (std::size_t server = 0; server < endpoints.count(); ++server) {
    clients.emplace_back("127.0.0.1", endpoints.port(server), kRequestTimeout);
  }
  std::set<std::string> live_keys;
  std::map<std::string, std::string> live_hashes;
  std::size_t turn = 0;
  for (const std::size_t index : ledger.unsettled()) {
    const ObjectRecord record = ledger.get(index);
    HttpClient& client = clients[turn++ % clients.size()];
    const HttpResponse response =
        client.request("GET", by_key(target, record.key), {{"X-Tenant", target.tenant}});
    const std::string seen =
        record.key + " (" + to_string(record.state) + ", upload answered " +
        std::to_string(record.upload_status) + "): GET " + std::to_string(response.status) + " " +
        (response.status == 200 ? std::to_string(response.body.size()) + " bytes"
                                : response.body.substr(0, 200));
    const bool present = response.status == 200;
    if (response.status != 200 && response.status != 404) {
      failures.push_back("unexpected answer for " + seen);
      continue;
    }
    if (present && !exact(response, record)) {
      failures.push_back("wrong bytes for " + seen + ", expected " + std::to_string(record.size) +
                         " bytes with sha256 " + record.hash);
      continue;
    }
    switch (record.state) {
      case ObjectState::kLive:
        if (!present) {
          failures.push_back("acknowledged object lost: " + seen);
        }
        break;
      case ObjectState::kDeleted:
      case ObjectState::kRejected:
        if (present) {
          failures.push_back("object that must not exist is served: " + seen);
        }
        break;
      case ObjectState::kUnknown:
        if (present && !record.was_acknowledged &&
            (record.upload_status == 500 || record.upload_status == 503)) {
          ++stored_after_5xx;
        }
        break;
      case ObjectState::kUploading:
      case ObjectState::kDeleting:
      case ObjectState::kGone:
        failures.push_back("operation still in flight during the check: " + seen);
        continue;
    }
    if (record.state != ObjectState::kLive || present) {
      ledger.resolve(index, present);
    }
    if (present) {
      live_keys.insert(record.key);
      live_hashes[record.key] = "sha256:" + record.hash;
    }
  }

  const std::map<std::string, std::string> listed = list_all(target, clients[0]);
  for (const auto& [key, hash] : listed) {
    if (!live_keys.contains(key)) {
      failures.push_back("listed but not live: " + key);
    } else if (hash != live_hashes[key]) {
      failures.push_back("listed with content hash " + hash + ": " + key);
    }
  }
  for (const std::string& key : live_keys) {
    if (!listed.contains(key)) {
      failures.push_back("live but not listed: " + key);
    }
  }
  return failures;
}

}  // namespace castor::chaos
