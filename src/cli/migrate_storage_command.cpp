#include "cli/migrate_storage_command.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "application/storage/migrate_storage.h"
#include "infrastructure/blob_store_factory.h"
#include "infrastructure/config.h"
#include "infrastructure/logging.h"
#include "infrastructure/pg_blob_totals.h"
#include "infrastructure/pg_metadata_store.h"
#include "infrastructure/system_services.h"

namespace castor::cli {

namespace {

constexpr const char* kUsage =
    "usage: castor migrate-storage --class hot|cold --to s3|fs [--restart] [--parallel N] "
    "[--setting value ...]";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "castor: %s\n%s\n", message.c_str(), kUsage);
  return 2;
}

const char* kind_name(Config::Backend kind) { return kind == Config::Backend::kS3 ? "s3" : "fs"; }

// "3.1 GiB"-style: the unit that `scale` (the larger figure of a pair) reads best in.
struct Unit {
  double divisor;
  const char* name;
};
Unit unit_for(std::uint64_t scale) {
  constexpr Unit kUnits[] = {{1024.0 * 1024 * 1024 * 1024, "TiB"},
                             {1024.0 * 1024 * 1024, "GiB"},
                             {1024.0 * 1024, "MiB"},
                             {1024.0, "KiB"}};
  for (const Unit& u : kUnits) {
    if (static_cast<double>(scale) >= u.divisor) {
      return u;
    }
  }
  return {1.0, "B"};
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double seconds_of(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// migrate-storage: hot fs→s3: 1200/5000 blobs, 3.1/12.0 GiB, 85 MiB/s, 0 damaged
std::string progress_line(const std::string& what, const MigrateStorage::Progress& p) {
  std::string line = "migrate-storage: " + what + ": " + std::to_string(p.blobs_done);
  if (p.total) {
    line += "/" + std::to_string(p.total->blobs);
  }
  line += " blobs, ";
  const Unit u = unit_for(p.total ? std::max(p.total->bytes, p.bytes_done) : p.bytes_done);
  line += fixed1(static_cast<double>(p.bytes_done) / u.divisor);
  if (p.total) {
    line += "/" + fixed1(static_cast<double>(p.total->bytes) / u.divisor);
  }
  line += std::string(" ") + u.name + ", ";
  const double secs = seconds_of(p.elapsed);
  const double rate = secs > 0 ? static_cast<double>(p.copied_bytes) / secs / (1024.0 * 1024) : 0;
  line += fixed1(rate) + " MiB/s copied, " + std::to_string(p.damaged) + " damaged";
  return line;
}

bool parse_count(const std::string& text, std::size_t max, std::size_t& out) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0 || n > max) {
    return false;
  }
  out = n;
  return true;
}

}  // namespace

int run_migrate_storage(const std::vector<std::string>& args) {
  std::optional<StorageClass> storage_class;
  std::optional<Config::Backend> to;
  bool restart = false;
  std::size_t parallel = 4;
  std::vector<std::string> settings;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (a == "--class") {
      const std::string* v = value();
      auto c = v ? parse_storage_class(*v) : Result<StorageClass>(invalid_argument(""));
      if (!c) {
        return usage_error("--class needs hot or cold");
      }
      storage_class = *c;
    } else if (a == "--to") {
      const std::string* v = value();
      if (v && *v == "s3") {
        to = Config::Backend::kS3;
      } else if (v && *v == "fs") {
        to = Config::Backend::kFs;
      } else {
        return usage_error("--to needs s3 or fs");
      }
    } else if (a == "--restart") {
      restart = true;
    } else if (a == "--parallel") {
      const std::string* v = value();
      if (!v || !parse_count(*v, 64, parallel)) {
        return usage_error("--parallel needs a number from 1 to 64");
      }
    } else {
      settings.push_back(a);
    }
  }
  if (!storage_class || !to) {
    return usage_error("migrate-storage needs --class and --to");
  }
  const std::string cls(to_string(*storage_class));
  // The class's S3 settings are read (and checked) only when its backend is s3: say so, whatever
  // the environment says, since one side of the migration is the bucket. Last flag wins.
  settings.push_back("--" + cls + "-storage-backend");
  settings.push_back("s3");
  auto config = Config::load(settings, [](const char* name) { return std::getenv(name); });
  if (!config) {
    std::string message = config.error().message;
    if (message.find("_S3_") != std::string::npos) {
      message =
          "migrate-storage needs the class's S3 settings, whatever its STORAGE_BACKEND "
          "says: " +
          message;
    }
    std::fprintf(stderr, "castor: %s\n", message.c_str());
    return 2;
  }
  init_logging(config->log_level, *parse_log_format(config->log_format));

  const Config::Backend from =
      *to == Config::Backend::kS3 ? Config::Backend::kFs : Config::Backend::kS3;
  const std::string what = cls + " " + kind_name(from) + "→" + kind_name(*to);
  auto source = make_class_blob_store(*config, *storage_class, from);
  if (!source) {
    std::fprintf(stderr, "castor: migrate-storage: source: %s\n", source.error().message.c_str());
    return 2;
  }
  auto target = make_class_blob_store(*config, *storage_class, *to);
  if (!target) {
    std::fprintf(stderr, "castor: migrate-storage: target: %s\n", target.error().message.c_str());
    return 2;
  }
  // A connection per copy in flight (its placing transaction) and one for the walk.
  PgMetadataStore metadata(config->database_url, parallel + 1, {},
                           {.statement_timeout = config->db_statement_timeout,
                            .acquire_timeout = config->db_pool_timeout,
                            .connect_timeout = config->db_connect_timeout});
  RandomIdGenerator ids;
  MigrateStorage migrate(metadata, **source, **target, ids);

  MigrateStorage::Options options;
  options.storage_class = *storage_class;
  options.cursor = MigrateStorage::cursor_name(*storage_class, kind_name(*to));
  options.restart = restart;
  options.parallel = parallel;
  const std::string database_url = config->database_url;
  options.count = [&database_url](
                      StorageClass c,
                      const std::optional<ContentHash>& after) -> Result<MigrateStorage::Totals> {
    auto t = count_blobs_after(database_url, c, after);
    if (!t) {
      spdlog::warn("migrate-storage: cannot count the blobs to walk: {}", t.error().message);
      return std::move(t).error();
    }
    return MigrateStorage::Totals{.blobs = t->blobs, .bytes = t->bytes};
  };
  options.on_progress = [&what](const MigrateStorage::Progress& p) {
    std::fprintf(stderr, "%s\n", progress_line(what, p).c_str());
  };
  options.on_damage = [&cls](const Blob& blob, const std::optional<ContentHash>& actual,
                             std::uint64_t read) {
    const std::string line =
        "damaged " + cls + "/" + blob.hash().hex() + " size=" + std::to_string(blob.size_bytes()) +
        " read=" + std::to_string(read) +
        (actual ? " actual_hash=" + actual->hex() : std::string()) + " not copied";
    std::printf("migrate-storage: %s\n", line.c_str());
    std::fflush(stdout);
    spdlog::error("DATA LOSS: migrate-storage: {}", line);
  };
  auto done = migrate.run(options);
  if (!done) {
    std::fprintf(stderr,
                 "castor: migrate-storage: %s failed: %s (run it again to resume from where it "
                 "stopped)\n",
                 what.c_str(), done.error().message.c_str());
    return 1;
  }
  std::printf(
      "migrate-storage: %s done: blobs=%llu copied=%llu copied_bytes=%llu present=%llu "
      "unfiled=%llu damaged=%llu vanished=%llu seconds=%.1f\n",
      what.c_str(), static_cast<unsigned long long>(done->blobs_done),
      static_cast<unsigned long long>(done->copied),
      static_cast<unsigned long long>(done->copied_bytes),
      static_cast<unsigned long long>(done->present),
      static_cast<unsigned long long>(done->unfiled),
      static_cast<unsigned long long>(done->damaged),
      static_cast<unsigned long long>(done->vanished), seconds_of(done->elapsed));
  return done->damaged == 0 ? 0 : 1;
}

}  // namespace castor::cli
