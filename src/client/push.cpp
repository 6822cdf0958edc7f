#include "client/push.h"

#include <algorithm>
#include <utility>

#include <boost/json/array.hpp>

#include "client/blob_api.h"
#include "client/blob_batch_uploader.h"
#include "client/bundle_api.h"
#include "client/client_pool.h"
#include "client/exit_code.h"
#include "client/progress.h"
#include "client/push_pipeline.h"
#include "client/scan.h"
#include "client/worker_pool.h"

namespace castor::client {
namespace {

// Uploads the contents among `first_file` that the server lacks now (after the pipeline; a blob
// may have been collected since its preflight), in one go.
Status upload_missing_again(const Context& context, const PushOptions& options,
                            const std::vector<ScannedFile>& files, const HashedFiles& hashed,
                            HttpClient& http, PushSummary& summary) {
  std::vector<std::string> unique;
  unique.reserve(hashed.first_file.size());
  for (const auto& [hash, index] : hashed.first_file) {
    unique.push_back(hash);
  }
  auto missing = find_missing(http, context.config, unique);
  if (!missing) {
    return std::move(missing).error();
  }
  std::vector<BlobUpload> uploads;
  std::uint64_t bytes = 0;
  for (const std::string& hash : *missing) {
    const std::size_t index = hashed.first_file.at(hash);
    uploads.push_back({.file = index, .hash = hash});
    bytes += files[index].size;
  }
  const int jobs = std::max(1, options.jobs);
  Progress progress(context.style(), "uploading", uploads.size(), bytes);
  ClientPool clients(context.http_options(), jobs);
  BlobBatchUploader uploader(context, files, options.part_size, jobs, progress);
  Status status = uploader.upload_large(clients, uploads);
  if (status) {
    WorkerPool pool(jobs);
    uploader.submit_small(pool, clients, uploads);
    status = pool.drain();
  }
  progress.finish();
  uploader.add_to(summary);
  return status;
}

// Creates the bundle of every file; when the server finds blobs missing (collected between their
// preflight and now: their grace ran out), uploads what it lacks again, once, and retries.
Result<boost::json::object> create(const Context& context, const PushOptions& options,
                                   const std::vector<ScannedFile>& files, const HashedFiles& hashed,
                                   PushSummary& summary) {
  std::vector<BundleFile> manifest;
  manifest.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    manifest.push_back({.path = files[i].relative,
                        .hash = hashed.hashes[i],
                        .size = files[i].size,
                        .mode = files[i].mode});
  }
  HttpClient http(context.http_options());
  auto bundle = create_bundle(http, context.config, manifest);
  if (!bundle && bundle.error().reason == "missing_blobs") {
    if (Status s = upload_missing_again(context, options, files, hashed, http, summary); !s) {
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

  auto hashed = run_push_pipeline(context, options, scanned->files, summary);
  if (!hashed) {
    return std::move(hashed).error();
  }
  if (options.bundle && !options.dry_run) {
    auto bundle = create(context, options, scanned->files, *hashed, summary);
    if (!bundle) {
      return std::move(bundle).error();
    }
    summary.bundle = *std::move(bundle);
  }
  return summary;
}

}  // namespace castor::client
