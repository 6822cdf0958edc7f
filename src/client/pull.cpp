#include "client/pull.h"

#include <sys/stat.h>

#include <atomic>
#include <system_error>

#include "client/api_common.h"
#include "client/blob_api.h"
#include "client/bundle_api.h"
#include "client/client_pool.h"
#include "client/exit_code.h"
#include "client/file_sink.h"
#include "client/merkle.h"
#include "client/parallel.h"
#include "client/path_safety.h"
#include "client/progress.h"
#include "client/sha256.h"

namespace castor::client {
namespace {

Result<PullSummary> pull_zip(const Context& context, const PullOptions& options) {
  HttpClient http(context.http_options());
  PullSummary summary{.bundle_id = options.bundle_id, .dest = options.zip_file->string()};
  Progress progress(context.style(), "downloading", 1, 0);
  auto on_progress = [&](std::int64_t delta) { progress.add_bytes(delta); };
  if (*options.zip_file == "-") {
    StdoutSink sink;
    if (Status s =
            download_bundle(http, context.config, options.bundle_id, "zip", sink, on_progress);
        !s) {
      return s.error();
    }
  } else {
    FileSink sink(*options.zip_file);
    if (Status s =
            download_bundle(http, context.config, options.bundle_id, "zip", sink, on_progress);
        !s) {
      return s.error();
    }
    if (Status s = sink.commit(std::nullopt); !s) {
      return s.error();
    }
  }
  progress.add_file();
  summary.bytes_downloaded = progress.snapshot().bytes_done;
  progress.finish();
  return summary;
}

// Whether `path` already is a regular file with `file`'s size and hash.
bool already_there(const std::filesystem::path& path, const BundleFile& file) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_size) != file.size) {
    return false;
  }
  auto hash = hash_file(path);
  if (!hash || *hash != file.hash) {
    return false;
  }
  if ((st.st_mode & 07777) != file.mode) {
    ::chmod(path.c_str(), file.mode);
  }
  return true;
}

Status verify_manifest(const std::string& id, const Manifest& manifest) {
  std::vector<MerkleLeaf> leaves;
  for (const BundleFile& file : manifest.files) {
    leaves.push_back({file.path, file.hash});
  }
  const std::string expected = string_member(manifest.summary, "merkle_root");
  if (!expected.empty() && merkle_root(std::move(leaves)) != expected) {
    return verification_error("bundle " + id + ": the manifest does not match its Merkle root " +
                              expected);
  }
  return {};
}

}  // namespace

boost::json::object PullSummary::to_json() const {
  return {{"bundle_id", bundle_id},
          {"dest", dest},
          {"files", files},
          {"files_downloaded", files_downloaded},
          {"files_unchanged", files_unchanged},
          {"bytes_downloaded", bytes_downloaded}};
}

Result<PullSummary> run_pull(const Context& context, const PullOptions& options) {
  if (options.zip_file) {
    return pull_zip(context, options);
  }
  HttpClient http(context.http_options());
  auto manifest = get_bundle(http, context.config, options.bundle_id);
  if (!manifest) {
    return std::move(manifest).error();
  }
  if (Status s = verify_manifest(options.bundle_id, *manifest); !s) {
    return s.error();
  }
  const std::filesystem::path dest = options.dest.value_or(options.bundle_id);
  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  if (ec || !std::filesystem::is_directory(dest)) {
    return usage_error("cannot create the directory " + dest.string());
  }
  // Every path is checked before anything is written.
  for (const BundleFile& file : manifest->files) {
    if (auto problem = relative_path_problem(file.path)) {
      return verification_error("bundle " + options.bundle_id + ": refusing unsafe path '" +
                                file.path + "' (" + *problem + ")");
    }
  }
  PullSummary summary{
      .bundle_id = options.bundle_id, .dest = dest.string(), .files = manifest->files.size()};
  std::uint64_t total = 0;
  for (const BundleFile& file : manifest->files) {
    total += file.size;
  }
  ClientPool clients(context.http_options(), options.jobs);
  Progress progress(context.style(), "downloading", manifest->files.size(), total);
  std::atomic<std::uint64_t> downloaded{0}, unchanged{0}, bytes{0};
  Status status =
      run_parallel(manifest->files.size(), options.jobs, [&](std::size_t i, int worker) {
        const BundleFile& file = manifest->files[i];
        auto target = prepare_destination(dest, file.path);
        if (!target) {
          return Status(std::move(target).error());
        }
        if (already_there(*target, file)) {
          unchanged.fetch_add(1);
          progress.add_bytes(static_cast<std::int64_t>(file.size));
          progress.add_file();
          return Status();
        }
        FileSink sink(*target);
        if (file.size > 0 || file.hash != kEmptySha256) {
          Status got = get_blob(clients.at(worker), context.config, file.hash, sink,
                                [&](std::int64_t delta) { progress.add_bytes(delta); });
          if (!got) {
            return got;
          }
        }
        const std::string actual = sink.hex_digest();
        if (actual != file.hash || sink.size() != file.size) {
          return Status(verification_error(
              file.path + ": got SHA-256 " + actual + " (" + std::to_string(sink.size()) +
              " bytes), expected " + file.hash + " (" + std::to_string(file.size) + " bytes)"));
        }
        if (Status s = sink.commit(file.mode & 0777); !s) {
          return s;
        }
        downloaded.fetch_add(1);
        bytes.fetch_add(file.size);
        progress.add_file();
        return Status();
      });
  progress.finish();
  summary.files_downloaded = downloaded.load();
  summary.files_unchanged = unchanged.load();
  summary.bytes_downloaded = bytes.load();
  if (!status) {
    return status.error();
  }
  return summary;
}

}  // namespace castor::client
