#include "infrastructure/config.h"
#include "infrastructure/config_parse.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <thread>

namespace castor {
namespace {

// Every setting: its environment variable; the flag is "--" + lowercase with '-' for '_'.
constexpr const char* kSettings[] = {"DATABASE_URL",
                                     "LISTEN_ADDR",
                                     "PORT_FILE",
                                     "HOT_STORAGE_PATH",
                                     "COLD_STORAGE_PATH",
                                     "MAX_OBJECT_SIZE",
                                     "GC_INTERVAL_SECONDS",
                                     "WRITING_TIMEOUT_SECONDS",
                                     "INLINE_MAX_BYTES",
                                     "DB_POOL_SIZE",
                                     "IO_THREADS",
                                     "LOG_LEVEL",
                                     "MIGRATE_ON_START",
                                     "SHUTDOWN_TIMEOUT_SECONDS",
                                     "SHUTDOWN_DELAY_SECONDS",
                                     "LOG_FORMAT",
                                     "AUTH_MODE",
                                     "JWT_SECRET",
                                     "JWT_PUBLIC_KEY_FILE",
                                     "JWT_ISSUER",
                                     "JWT_AUDIENCE",
                                     "JWT_LEEWAY_SECONDS",
                                     "RATE_LIMIT_RPS",
                                     "RATE_LIMIT_BURST",
                                     "MAX_CONNECTIONS",
                                     "HEADER_TIMEOUT_SECONDS",
                                     "IDLE_TIMEOUT_SECONDS",
                                     "METRICS_ADDR",
                                     "METRICS_AUTH",
                                     "TOMBSTONE_RETENTION_SECONDS",
                                     "SCRUB_BYTES_PER_SECOND",
                                     "SCRUB_INTERVAL_SECONDS",
                                     "STORAGE_FILE_MODE",
                                     "STORAGE_DIR_MODE",
                                     "DB_STATEMENT_TIMEOUT_SECONDS",
                                     "DB_POOL_TIMEOUT_SECONDS",
                                     "DB_CONNECT_TIMEOUT_SECONDS",
                                     "DISK_THREADS",
                                     "STORAGE_STATS_INTERVAL_SECONDS",
                                     "BLOB_GRACE_SECONDS",
                                     "MAX_MANIFEST_BYTES",
                                     "UPLOAD_TTL_SECONDS",
                                     "MAX_OPEN_UPLOADS",
                                     "S3_DOMAIN",
                                     "S3_MASTER_KEY_FILE",
                                     "S3_MIN_PART_SIZE",
                                     "CONSOLE_DIR"};

// Every setting's name: kSettings and each storage class's backend settings (config_storage.cpp).
const std::vector<std::string>& setting_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all(std::begin(kSettings), std::end(kSettings));
    for (const char* cls : {"HOT_", "COLD_"}) {
      for (const char* name : kStorageBackendSettings) {
        all.push_back(std::string(cls) + name);
      }
    }
    return all;
  }();
  return names;
}

std::string flag_of(std::string_view env) {
  std::string flag = "--";
  for (char c : env) {
    flag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return flag;
}

// "host:port" ("[v6]:port" too; an empty host is 0.0.0.0).
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
Result<HostPort> parse_host_port(const std::string& setting, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return bad(setting, "'" + text + "' is not host:port");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port = parse_uint(setting, text.substr(colon + 1), 0, 65535);
  if (!port) {
    return std::move(port).error();
  }
  return HostPort{host.empty() ? "0.0.0.0" : host, static_cast<std::uint16_t>(*port)};
}

// Permission bits in octal ("0640" or "640"), at most 0777.
Result<unsigned> parse_mode(const std::string& setting, const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 8);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 0777) {
    return bad(setting, "'" + text + "' is not octal permission bits like 0640");
  }
  return value;
}

}  // namespace

Error bad(const std::string& setting, const std::string& why) {
  return invalid_argument("invalid " + setting + ": " + why);
}

Result<std::uint64_t> parse_uint(const std::string& setting, const std::string& text,
                                 std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return bad(setting, "'" + text + "' is not a whole number");
  }
  if (value < min || value > max) {
    return bad(setting, std::to_string(value) + " is outside " + std::to_string(min) + ".." +
                            std::to_string(max));
  }
  return value;
}

Result<bool> parse_bool(const std::string& setting, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") {
    return true;
  }
  if (text == "false" || text == "0" || text == "no") {
    return false;
  }
  return bad(setting, "'" + text + "' is not true or false");
}

Result<Config> Config::load(const std::vector<std::string>& args,
                            const std::function<const char*(const char*)>& getenv) {
  std::map<std::string, std::string> values;
  for (const std::string& env : setting_names()) {
    if (const char* v = getenv(env.c_str()); v != nullptr && *v != '\0') {
      values[env] = v;
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto eq = arg.find('=');
    const std::string flag = arg.substr(0, eq);
    const std::string* setting = nullptr;
    for (const std::string& env : setting_names()) {
      if (flag_of(env) == flag) {
        setting = &env;
      }
    }
    if (setting == nullptr) {
      return invalid_argument("unknown option '" + arg + "'");
    }
    if (eq != std::string::npos) {
      values[*setting] = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      values[*setting] = args[++i];
    } else {
      return invalid_argument("option " + flag + " needs a value");
    }
  }

  Config c;
  c.io_threads = std::max(1u, std::thread::hardware_concurrency());
  auto get = [&](const char* key) -> const std::string* {
    auto it = values.find(key);
    return it == values.end() ? nullptr : &it->second;
  };
  auto number = [&](const char* key, std::uint64_t min, std::uint64_t max, auto& out) -> Status {
    if (const std::string* v = get(key)) {
      auto n = parse_uint(key, *v, min, max);
      if (!n) {
        return std::move(n).error();
      }
      out = static_cast<std::remove_reference_t<decltype(out)>>(*n);
    }
    return {};
  };

  if (const std::string* v = get("DATABASE_URL")) {
    c.database_url = *v;
  } else {
    return invalid_argument("DATABASE_URL (or --database-url) is required");
  }
  if (const std::string* v = get("LISTEN_ADDR")) {
    auto hp = parse_host_port("LISTEN_ADDR", *v);
    if (!hp) {
      return std::move(hp).error();
    }
    c.listen_host = hp->host;
    c.listen_port = hp->port;
  }
  if (const std::string* v = get("METRICS_ADDR")) {
    auto hp = parse_host_port("METRICS_ADDR", *v);
    if (!hp) {
      return std::move(hp).error();
    }
    c.metrics_host = hp->host;
    c.metrics_port = hp->port;
  }
  if (const std::string* v = get("PORT_FILE")) {
    c.port_file = *v;
  }
  if (const std::string* v = get("HOT_STORAGE_PATH")) {
    c.hot_storage_path = *v;
  }
  if (const std::string* v = get("COLD_STORAGE_PATH")) {
    c.cold_storage_path = *v;
  }
  if (c.hot_storage_path.lexically_normal() == c.cold_storage_path.lexically_normal()) {
    return bad("COLD_STORAGE_PATH", "must differ from HOT_STORAGE_PATH");
  }
  std::int64_t gc = c.gc_interval.count(), writing = c.writing_timeout.count(),
               shutdown = c.shutdown_timeout.count(), delay = c.shutdown_delay.count();
  for (Status s :
       {number("MAX_OBJECT_SIZE", 0, std::uint64_t{1} << 50, c.max_object_size),
        number("INLINE_MAX_BYTES", 0, std::uint64_t{1} << 20, c.inline_max_bytes),
        number("GC_INTERVAL_SECONDS", 0, 86400 * 7, gc),
        number("WRITING_TIMEOUT_SECONDS", 1, 86400 * 7, writing),
        number("DB_POOL_SIZE", 1, 1000, c.db_pool_size), number("IO_THREADS", 1, 256, c.io_threads),
        number("SHUTDOWN_TIMEOUT_SECONDS", 0, 3600, shutdown),
        number("SHUTDOWN_DELAY_SECONDS", 0, 600, delay)}) {
    if (!s) {
      return std::move(s).error();
    }
  }
  c.gc_interval = std::chrono::seconds(gc);
  c.writing_timeout = std::chrono::seconds(writing);
  c.shutdown_timeout = std::chrono::seconds(shutdown);
  c.shutdown_delay = std::chrono::seconds(delay);
  if (const std::string* v = get("LOG_LEVEL")) {
    static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(std::begin(kLevels), std::end(kLevels), *v) == std::end(kLevels)) {
      return bad("LOG_LEVEL", "'" + *v + "' is not one of trace, debug, info, warn, error");
    }
    c.log_level = *v;
  }
  if (const std::string* v = get("LOG_FORMAT")) {
    if (*v != "text" && *v != "json") {
      return bad("LOG_FORMAT", "'" + *v + "' is not text or json");
    }
    c.log_format = *v;
  }
  if (const std::string* v = get("AUTH_MODE")) {
    if (*v != "required" && *v != "disabled") {
      return bad("AUTH_MODE", "'" + *v + "' is not required or disabled");
    }
    c.auth_required = *v == "required";
  }
  if (const std::string* v = get("JWT_SECRET")) {
    c.jwt_secret = *v;
  }
  if (const std::string* v = get("JWT_PUBLIC_KEY_FILE")) {
    c.jwt_public_key_file = *v;
  }
  if (!c.jwt_secret.empty() && c.jwt_public_key_file) {
    return bad("JWT_SECRET", "set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY_FILE, not both");
  }
  if (const std::string* v = get("JWT_ISSUER")) {
    c.jwt_issuer = *v;
  }
  if (const std::string* v = get("JWT_AUDIENCE")) {
    c.jwt_audience = *v;
  }
  std::int64_t leeway = c.jwt_leeway.count();
  std::uint64_t rps = c.rate_limit_rps, burst = c.rate_limit_burst;
  for (Status s :
       {number("JWT_LEEWAY_SECONDS", 0, 3600, leeway), number("RATE_LIMIT_RPS", 0, 1'000'000, rps),
        number("RATE_LIMIT_BURST", 1, 10'000'000, burst)}) {
    if (!s) {
      return std::move(s).error();
    }
  }
  std::int64_t retention = c.tombstone_retention.count(), scrub_interval = c.scrub_interval.count();
  for (Status s :
       {number("TOMBSTONE_RETENTION_SECONDS", 0, 86400 * 3650, retention),
        number("SCRUB_BYTES_PER_SECOND", 0, std::uint64_t{1} << 40, c.scrub_bytes_per_second),
        number("SCRUB_INTERVAL_SECONDS", 1, 86400 * 3650, scrub_interval)}) {
    if (!s) {
      return std::move(s).error();
    }
  }
  c.tombstone_retention = std::chrono::seconds(retention);
  c.scrub_interval = std::chrono::seconds(scrub_interval);
  std::int64_t grace = c.blob_grace.count(), upload_ttl = c.upload_ttl.count();
  std::uint64_t max_open_uploads = c.max_open_uploads;
  for (Status s : {number("BLOB_GRACE_SECONDS", 0, 86400 * 3650, grace),
                   number("MAX_MANIFEST_BYTES", 1024, std::uint64_t{1} << 32, c.max_manifest_bytes),
                   number("UPLOAD_TTL_SECONDS", 1, 86400 * 3650, upload_ttl),
                   number("MAX_OPEN_UPLOADS", 1, 1'000'000, max_open_uploads),
                   number("S3_MIN_PART_SIZE", 1, std::uint64_t{5} << 30, c.s3_min_part_size)}) {
    if (!s) {
      return std::move(s).error();
    }
  }
  c.blob_grace = std::chrono::seconds(grace);
  c.upload_ttl = std::chrono::seconds(upload_ttl);
  c.max_open_uploads = static_cast<std::size_t>(max_open_uploads);
  if (const std::string* v = get("S3_DOMAIN")) {
    std::string domain = *v;
    for (char& ch : domain) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
        domain.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos) {
      return invalid_argument("S3_DOMAIN must be a DNS name such as s3.example.com");
    }
    c.s3_domain = std::move(domain);
  }
  if (const std::string* v = get("CONSOLE_DIR")) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::path(*v) / "index.html", ec)) {
      return invalid_argument(
          "CONSOLE_DIR must be a directory holding the console's index.html "
          "(console/dist after `npm run build` in console/): " +
          *v);
    }
    c.console_dir = *v;
  }
  for (auto [name, out] : {std::pair{"STORAGE_FILE_MODE", &c.storage_file_mode},
                           std::pair{"STORAGE_DIR_MODE", &c.storage_dir_mode}}) {
    if (const std::string* v = get(name)) {
      auto mode = parse_mode(name, *v);
      if (!mode) {
        return std::move(mode).error();
      }
      *out = *mode;
    }
  }
  c.jwt_leeway = std::chrono::seconds(leeway);
  c.rate_limit_rps = rps;
  c.rate_limit_burst = burst;
  std::int64_t header_timeout = c.header_timeout.count(), idle = c.idle_timeout.count();
  std::int64_t statement = c.db_statement_timeout.count(), pool = c.db_pool_timeout.count(),
               connect = c.db_connect_timeout.count(), stats = c.storage_stats_interval.count();
  for (Status s : {number("MAX_CONNECTIONS", 0, 10'000'000, c.max_connections),
                   number("HEADER_TIMEOUT_SECONDS", 1, 3600, header_timeout),
                   number("IDLE_TIMEOUT_SECONDS", 1, 3600, idle),
                   number("DB_STATEMENT_TIMEOUT_SECONDS", 1, 3600, statement),
                   number("DB_POOL_TIMEOUT_SECONDS", 1, 3600, pool),
                   number("DB_CONNECT_TIMEOUT_SECONDS", 2, 3600, connect),
                   number("DISK_THREADS", 1, 1000, c.disk_threads),
                   number("STORAGE_STATS_INTERVAL_SECONDS", 1, 86400, stats)}) {
    if (!s) {
      return std::move(s).error();
    }
  }
  c.header_timeout = std::chrono::seconds(header_timeout);
  c.idle_timeout = std::chrono::seconds(idle);
  if (const std::string* v = get("METRICS_AUTH")) {
    auto b = parse_bool("METRICS_AUTH", *v);
    if (!b) {
      return std::move(b).error();
    }
    c.metrics_auth = *b;
  }
  c.db_statement_timeout = std::chrono::seconds(statement);
  c.db_pool_timeout = std::chrono::seconds(pool);
  c.db_connect_timeout = std::chrono::seconds(connect);
  c.storage_stats_interval = std::chrono::seconds(stats);
  if (const std::string* v = get("S3_MASTER_KEY_FILE")) {
    c.s3_master_key_file = *v;
  }
  if (auto s = load_storage_backends(c, get); !s) {
    return std::move(s).error();
  }
  if (const std::string* v = get("MIGRATE_ON_START")) {
    auto b = parse_bool("MIGRATE_ON_START", *v);
    if (!b) {
      return std::move(b).error();
    }
    c.migrate_on_start = *b;
  }
  return c;
}

}  // namespace castor
