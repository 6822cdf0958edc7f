#include "client/push.h"

#include <atomic>
#include <map>
#include <set>

#include <boost/json/array.hpp>

#include "client/blob_uploader.h"
#include "client/bundle_api.h"
#include "client/client_pool.h"
#include "client/exit_code.h"
#include "client/keyed_push.h"
#include "client/parallel.h"
#include "client/part_layout.h"
#include "client/progress.h"
#include "client/scan.h"
#include "client/sha256.h"

namespace castor::client {
namespace {

Result<std::vector<std::string>> hash_all(const Context& context, const ScanResult& scanned,
                                          int jobs) {
  std::vector<std::string> hashes(scanned.files.size());
  Progress progress(context.style(), "hashing", scanned.files.size(), scanned.total_bytes);
  Status status = run_parallel(scanned.files.size(), jobs, [&](std::size_t i, int) {
    auto hash = hash_file(scanned.files[i].source,
                          [&](std::size_t n) { progress.add_bytes(static_cast<std::int64_t>(n)); });
    if (!hash) {
      return Status(std::move(hash).error());
    }
    hashes[i] = *std::move(hash);
    progress.add_file();
    return Status();
  });
  progress.finish();
  if (!status) {
    return status.error();
  }
  return hashes;
}

// The hashes among `hashes` that the tenant lacks. Batches of kMaxPreflightHashes; a batch the
// server finds too large (413) is split in halves.
Status preflight_batch(HttpClient& http, const Config& config,
                       const std::vector<std::string>& hashes, std::set<std::string>& missing) {
  auto answer = preflight(http, config, hashes);
  if (!answer && answer.error().code == ErrorCode::kOutOfRange && hashes.size() > 1) {
    const auto middle = hashes.begin() + static_cast<std::ptrdiff_t>(hashes.size() / 2);
    if (Status s = preflight_batch(http, config, {hashes.begin(), middle}, missing); !s) {
      return s;
    }
    return preflight_batch(http, config, {middle, hashes.end()}, missing);
  }
  if (!answer) {
    return std::move(answer).error();
  }
  missing.insert(answer->begin(), answer->end());
  return {};
}

Result<std::set<std::string>> find_missing(HttpClient& http, const Config& config,
                                           const std::vector<std::string>& unique_hashes) {
  std::set<std::string> missing;
  for (std::size_t start = 0; start < unique_hashes.size(); start += kMaxPreflightHashes) {
    const std::size_t end = std::min(unique_hashes.size(), start + kMaxPreflightHashes);
    if (Status s = preflight_batch(http, config,
                                   {unique_hashes.begin() + static_cast<std::ptrdiff_t>(start),
                                    unique_hashes.begin() + static_cast<std::ptrdiff_t>(end)},
                                   missing);
        !s) {
      return s.error();
    }
  }
  return missing;
}

// Uploads the file of each hash in `missing` (first file with that hash): those over the part
// size through upload sessions first, then the others in one PUT each.
Status upload_missing(const Context& context, const PushOptions& options,
                      const std::vector<ScannedFile>& files,
                      const std::map<std::string, std::size_t>& first_file,
                      const std::set<std::string>& missing, PushSummary& summary) {
  std::vector<std::pair<std::string, std::size_t>> whole;
  std::vector<SessionUpload> in_parts;
  std::uint64_t bytes = 0;
  for (const std::string& hash : missing) {
    const std::size_t index = first_file.at(hash);
    if (needs_session(files[index].size, options.part_size)) {
      in_parts.push_back({.file = files[index], .sha256 = hash, .key = std::nullopt});
    } else {
      whole.emplace_back(hash, index);
    }
    bytes += files[index].size;
  }
  ClientPool clients(context.http_options(), options.jobs);
  Progress progress(context.style(), "uploading", missing.size(), bytes);
  if (!in_parts.empty()) {
    const SessionUploader sessions(context, options.part_size, options.jobs);
    auto totals = sessions.upload(clients, in_parts, progress);
    if (!totals) {
      return std::move(totals).error();
    }
    summary.add(*totals, true);
  }
  const BlobUploader uploader(context);
  std::atomic<std::uint64_t> stored{0}, sent{0};
  Status status = run_parallel(whole.size(), options.jobs, [&](std::size_t i, int worker) {
    const auto& [hash, index] = whole[i];
    auto put = uploader.upload(clients.at(worker), files[index], hash,
                               [&](std::int64_t delta) { progress.add_bytes(delta); });
    if (!put) {
      return Status(std::move(put).error());
    }
    stored.fetch_add(put->stored ? 1 : 0);
    sent.fetch_add(put->bytes_sent);
    progress.add_file();
    return Status();
  });
  progress.finish();
  summary.blobs_uploaded += stored.load();
  summary.bytes_uploaded += sent.load();
  return status;
}

Result<boost::json::object> create(const Context& context, HttpClient& http,
                                   const PushOptions& options,
                                   const std::vector<ScannedFile>& files,
                                   const std::vector<std::string>& hashes,
                                   const std::map<std::string, std::size_t>& first_file,
                                   PushSummary& summary) {
  std::vector<BundleFile> manifest;
  manifest.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    manifest.push_back({.path = files[i].relative,
                        .hash = hashes[i],
                        .size = files[i].size,
                        .mode = files[i].mode});
  }
  auto bundle = create_bundle(http, context.config, manifest);
  if (!bundle && bundle.error().reason == "missing_blobs") {
    // A blob was collected between preflight and now (its grace ran out): upload everything the
    // server says is missing again, once, and retry.
    std::vector<std::string> unique;
    for (const auto& [hash, index] : first_file) {
      unique.push_back(hash);
    }
    auto missing = find_missing(http, context.config, unique);
    if (!missing) {
      return std::move(missing).error();
    }
    if (Status s = upload_missing(context, options, files, first_file, *missing, summary); !s) {
      return s.error();
    }
    bundle = create_bundle(http, context.config, manifest);
  }
  return bundle;
}

}  // namespace

void PushSummary::add(const SessionTotals& totals, bool blobs) {
  blobs_uploaded += blobs ? totals.completed : 0;
  bytes_uploaded += totals.bytes_sent;
  sessions_resumed += totals.sessions_resumed;
  parts_uploaded += totals.parts_uploaded;
  parts_reused += totals.parts_reused;
  bytes_reused += totals.bytes_reused;
}

boost::json::object PushSummary::to_json() const {
  boost::json::array skipped_list;
  for (const std::string& entry : skipped) {
    skipped_list.emplace_back(entry);
  }
  boost::json::object out{{"files", files},
                          {"bytes_total", bytes_total},
                          {"blobs_total", blobs_total},
                          {"blobs_missing", blobs_missing},
                          {"blobs_uploaded", blobs_uploaded},
                          {"bytes_uploaded", bytes_uploaded},
                          {"sessions_resumed", sessions_resumed},
                          {"parts_uploaded", parts_uploaded},
                          {"parts_reused", parts_reused},
                          {"bytes_reused", bytes_reused},
                          {"objects_created", objects_created},
                          {"objects_replaced", objects_replaced},
                          {"objects_unchanged", objects_unchanged},
                          {"dry_run", dry_run},
                          {"skipped", std::move(skipped_list)}};
  out["bundle_id"] = bundle ? bundle->at("id") : boost::json::value(nullptr);
  out["bundle"] = bundle ? boost::json::value(*bundle) : boost::json::value(nullptr);
  return out;
}

Result<PushSummary> run_push(const Context& context, const PushOptions& options) {
  if (!options.bundle && !options.prefix) {
    return usage_error(
        "push needs --bundle (make a bundle) and/or --prefix P (make keyed objects)");
  }
  if (options.roots.empty()) {
    return usage_error("push needs at least one file or directory");
  }
  ScanOptions scan_options{.excludes = ExcludeSet(options.excludes),
                           .follow_symlinks = options.follow_symlinks};
  auto scanned = scan(options.roots, scan_options);
  if (!scanned) {
    return std::move(scanned).error();
  }
  PushSummary summary;
  summary.dry_run = options.dry_run;
  summary.files = scanned->files.size();
  summary.bytes_total = scanned->total_bytes;
  summary.skipped = scanned->skipped;

  auto hashes = hash_all(context, *scanned, options.jobs);
  if (!hashes) {
    return std::move(hashes).error();
  }
  std::map<std::string, std::size_t> first_file;  // hash → index of its first file
  for (std::size_t i = 0; i < hashes->size(); ++i) {
    first_file.emplace((*hashes)[i], i);
  }
  summary.blobs_total = first_file.size();

  HttpClient http(context.http_options());
  if (options.bundle) {
    std::vector<std::string> unique;
    unique.reserve(first_file.size());
    for (const auto& [hash, index] : first_file) {
      unique.push_back(hash);
    }
    auto missing = find_missing(http, context.config, unique);
    if (!missing) {
      return std::move(missing).error();
    }
    summary.blobs_missing = missing->size();
    if (!options.dry_run) {
      if (Status s =
              upload_missing(context, options, scanned->files, first_file, *missing, summary);
          !s) {
        return s.error();
      }
      auto bundle = create(context, http, options, scanned->files, *hashes, first_file, summary);
      if (!bundle) {
        return std::move(bundle).error();
      }
      summary.bundle = *std::move(bundle);
    }
  }
  if (options.prefix) {
    if (Status s = push_keyed_objects(context, options, scanned->files, *hashes, summary); !s) {
      return s.error();
    }
  }
  return summary;
}

}  // namespace castor::client
