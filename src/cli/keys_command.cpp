#include "cli/keys_command.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "api/http_date.h"
#include "application/keys/manage_api_keys.h"
#include "application/manage_s3_credentials.h"
#include "infrastructure/aes_gcm_secret_box.h"
#include "infrastructure/config.h"
#include "infrastructure/logging.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_metadata_store.h"
#include "infrastructure/system_services.h"

namespace castor::cli {

namespace {

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "castor: %s\n", message.c_str());
  return code;
}

// --expires (RFC 3339) or --expires-in (seconds from now); nullopt for neither. A usage error
// (exit status 2) when malformed.
Result<std::optional<Timestamp>> expiry_of(std::map<std::string, std::string>& flags,
                                           Clock& clock) {
  if (flags.contains("--expires")) {
    auto expires = http_params::parse_rfc3339(flags["--expires"]);
    if (!expires) {
      return invalid_argument("--expires must be RFC 3339, like 2027-01-31T00:00:00Z");
    }
    return std::optional<Timestamp>(*expires);
  }
  if (flags.contains("--expires-in")) {
    char* end = nullptr;
    const long long seconds = std::strtoll(flags["--expires-in"].c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || seconds <= 0 ||
        seconds > std::int64_t{100} * 366 * 86400) {
      return invalid_argument(
          "--expires-in must be a positive number of seconds (up to 100 years)");
    }
    return std::optional<Timestamp>(clock.now() + std::chrono::seconds(seconds));
  }
  return std::optional<Timestamp>();
}

// --namespaces "a,b" (or spaces): the namespaces; "*" or "" for every namespace (an empty
// list). A usage error for a bad name.
Result<std::vector<Namespace>> namespaces_of(const std::string& text) {
  std::vector<Namespace> out;
  if (text == "*") {
    return out;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto end = std::min(rest.find_first_of(", "), rest.size());
    if (end > 0) {
      auto ns = Namespace::parse(rest.substr(0, end));
      if (!ns) {
        return std::move(ns).error();
      }
      out.push_back(std::move(*ns));
    }
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return out;
}

std::string namespaces_text(const std::vector<Namespace>& namespaces) {
  if (namespaces.empty()) {
    return "*";
  }
  std::string out;
  for (const Namespace& ns : namespaces) {
    out += (out.empty() ? "" : ",") + ns.str();
  }
  return out;
}

// `castor keys create|list|revoke --s3`: S3 credentials (docs/S3.md, "Credentials"). create prints
// exactly one line, "<access key id> <secret access key>", for `read -r AKID SECRET`.
int run_s3_keys(const std::string& action, std::map<std::string, std::string>& flags,
                const std::vector<std::string>& positional, const Config& config,
                MetadataStore& metadata, const std::string& actor) {
  SystemClock clock;
  OpenSslKeyMaterial material;
  std::unique_ptr<AesGcmSecretBox> box;
  if (action == "create") {
    if (!config.s3_master_key_file) {
      return fail(
          "keys create --s3 needs the master key that seals S3 secrets: set S3_MASTER_KEY_FILE "
          "(or --s3-master-key-file) to the server's key file",
          2);
    }
    auto created_box = AesGcmSecretBox::create(*config.s3_master_key_file);
    if (!created_box) {
      return fail(created_box.error().message, 2);
    }
    box = std::move(*created_box);
  }
  ManageS3Credentials credentials(metadata, box.get(), material, clock);

  if (action == "create") {
    if (!flags.contains("--tenant") || !flags.contains("--scopes")) {
      return fail("keys create --s3 needs --tenant (one tenant) and --scopes", 2);
    }
    if (flags["--tenant"] == "*") {
      return fail("an S3 credential is bound to one tenant: --tenant cannot be '*'", 2);
    }
    auto tenant = TenantId::parse(flags["--tenant"]);
    if (!tenant) {
      return fail(tenant.error().message, 2);
    }
    auto scopes = Scopes::parse(flags["--scopes"]);
    if (!scopes) {
      return fail(scopes.error().message, 2);
    }
    auto expires = expiry_of(flags, clock);
    if (!expires) {
      return fail(expires.error().message, 2);
    }
    auto namespaces = namespaces_of(flags["--namespaces"]);
    if (!namespaces) {
      return fail(namespaces.error().message, 2);
    }
    auto created = credentials.create(*tenant, *scopes, *expires, flags["--description"], actor,
                                      std::move(*namespaces));
    if (!created) {
      return fail(created.error().message,
                  created.error().code == ErrorCode::kInvalidArgument ? 2 : 1);
    }
    const S3Credential& c = created->credential;
    spdlog::info("audit: s3 credential {} created by {} (tenant={}, scopes=\"{}\")",
                 c.access_key_id, actor, c.tenant.str(), c.scopes.to_string());
    std::printf("%s %s\n", c.access_key_id.c_str(), created->secret_key.c_str());
    return 0;
  }
  if (action == "list") {
    auto all = credentials.list();
    if (!all) {
      return fail(all.error().message);
    }
    std::printf("%-20s  %-20s  %-44s  %-27s  %s\n", "ACCESS KEY ID", "TENANT", "SCOPES", "EXPIRES",
                "STATE");
    const Timestamp now = clock.now();
    for (const S3Credential& c : *all) {
      std::printf("%-20s  %-20s  %-44s  %-27s  %s\n", c.access_key_id.c_str(),
                  c.tenant.str().c_str(), c.scopes.to_string().c_str(),
                  c.expires_at ? http_params::rfc3339(*c.expires_at).c_str() : "never",
                  c.revoked_at ? "revoked" : (c.usable(now) ? "active" : "expired"));
    }
    return 0;
  }
  if (action == "revoke") {
    if (positional.size() != 1) {
      return fail("keys revoke --s3 needs exactly one access key id", 2);
    }
    auto revoked = credentials.revoke(positional[0]);
    if (!revoked) {
      return fail(revoked.error().message);
    }
    if (!*revoked) {
      std::printf("S3 credential %s was already revoked\n", positional[0].c_str());
      return 0;
    }
    spdlog::info("audit: s3 credential {} revoked by {}", positional[0], actor);
    std::printf("revoked S3 credential %s\n", positional[0].c_str());
    return 0;
  }
  return fail("unknown keys action '" + action + "'", 2);
}

}  // namespace

int run_keys(std::vector<std::string> args) {
  if (args.empty()) {
    return fail("keys needs create, list, update or revoke (castor --help)", 2);
  }
  const std::string action = args[0];
  args.erase(args.begin());
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::vector<std::string> settings;
  bool s3 = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--s3") {
      s3 = true;
    } else if (a == "--no-expiry") {
      flags[a] = "";
    } else if (a == "--tenant" || a == "--scopes" || a == "--expires" || a == "--expires-in" ||
               a == "--description" || a == "--name" || a == "--namespaces") {
      if (i + 1 >= args.size()) {
        return fail("option " + a + " needs a value", 2);
      }
      flags[a] = args[++i];
    } else if (a.starts_with("--")) {
      settings.push_back(a);
      if (a.find('=') == std::string::npos && i + 1 < args.size()) {
        settings.push_back(args[++i]);
      }
    } else {
      positional.push_back(a);
    }
  }
  auto config = Config::load(settings, [](const char* name) { return std::getenv(name); });
  if (!config) {
    return fail(config.error().message, 2);
  }
  init_logging(config->log_level, *parse_log_format(config->log_format));
  if (auto applied = apply_migrations(config->database_url); !applied) {
    return fail("migrations failed: " + applied.error().message);
  }
  PgMetadataStore metadata(config->database_url, 1);
  const passwd* user = ::getpwuid(::getuid());
  const std::string actor = std::string("cli:").append(user != nullptr ? user->pw_name : "unknown");
  if (s3) {
    return run_s3_keys(action, flags, positional, *config, metadata, actor);
  }
  SystemClock clock;
  OpenSslKeyMaterial material;
  ManageApiKeys keys(metadata, material, clock);
  const Principal op = ManageApiKeys::operator_principal(actor);

  if (action == "create") {
    if (!flags.contains("--tenant") || !flags.contains("--scopes")) {
      return fail("keys create needs --tenant (a tenant or '*') and --scopes", 2);
    }
    std::optional<TenantId> tenant;
    if (flags["--tenant"] != "*") {
      auto t = TenantId::parse(flags["--tenant"]);
      if (!t) {
        return fail(t.error().message, 2);
      }
      tenant = *t;
    }
    auto scopes = Scopes::parse(flags["--scopes"]);
    if (!scopes) {
      return fail(scopes.error().message, 2);
    }
    auto expires = expiry_of(flags, clock);
    if (!expires) {
      return fail(expires.error().message, 2);
    }
    auto namespaces = namespaces_of(flags["--namespaces"]);
    if (!namespaces) {
      return fail(namespaces.error().message, 2);
    }
    auto created = keys.create(op, {.tenant = tenant,
                                    .scopes = *scopes,
                                    .namespaces = std::move(*namespaces),
                                    .name = flags["--name"],
                                    .description = flags["--description"],
                                    .expires_at = *expires});
    if (!created) {
      return fail(created.error().message);
    }
    spdlog::info("audit: api key {} created by {} (tenant={}, scopes=\"{}\", namespaces={})",
                 created->key.id, actor, flags["--tenant"], scopes->to_string(),
                 namespaces_text(created->key.namespaces));
    std::printf("%s\n", created->token.c_str());
    return 0;
  }
  if (action == "list") {
    auto all = keys.list(op);
    if (!all) {
      return fail(all.error().message);
    }
    std::printf("%-12s  %-20s  %-20s  %-56s  %-24s  %-27s  %s\n", "ID", "NAME", "TENANT", "SCOPES",
                "NAMESPACES", "EXPIRES", "STATE");
    const Timestamp now = clock.now();
    for (const ApiKey& k : *all) {
      std::printf("%-12s  %-20s  %-20s  %-56s  %-24s  %-27s  %s\n", k.id.c_str(),
                  k.name.empty() ? "-" : k.name.c_str(), k.tenant ? k.tenant->str().c_str() : "*",
                  k.scopes.to_string().c_str(), namespaces_text(k.namespaces).c_str(),
                  k.expires_at ? http_params::rfc3339(*k.expires_at).c_str() : "never",
                  k.revoked_at ? "revoked" : (k.usable(now) ? "active" : "expired"));
    }
    return 0;
  }
  if (action == "update") {
    if (positional.size() != 1) {
      return fail("keys update needs exactly one key id", 2);
    }
    ManageApiKeys::Changes changes;
    if (flags.contains("--scopes")) {
      auto scopes = Scopes::parse(flags["--scopes"]);
      if (!scopes) {
        return fail(scopes.error().message, 2);
      }
      changes.scopes = *scopes;
    }
    if (flags.contains("--namespaces")) {
      auto namespaces = namespaces_of(flags["--namespaces"]);
      if (!namespaces) {
        return fail(namespaces.error().message, 2);
      }
      changes.namespaces = std::move(*namespaces);
    }
    if (flags.contains("--name")) {
      changes.name = flags["--name"];
    }
    if (flags.contains("--description")) {
      changes.description = flags["--description"];
    }
    if (flags.contains("--no-expiry")) {
      changes.expires_at = std::optional<Timestamp>();
    } else if (flags.contains("--expires") || flags.contains("--expires-in")) {
      auto expires = expiry_of(flags, clock);
      if (!expires) {
        return fail(expires.error().message, 2);
      }
      changes.expires_at = *expires;
    }
    auto updated = keys.update(op, positional[0], std::move(changes));
    if (!updated) {
      return fail(updated.error().message,
                  updated.error().code == ErrorCode::kInvalidArgument ? 2 : 1);
    }
    spdlog::info("audit: api key {} updated by {} (scopes=\"{}\", namespaces={})", updated->id,
                 actor, updated->scopes.to_string(), namespaces_text(updated->namespaces));
    std::printf("updated API key %s\n", updated->id.c_str());
    return 0;
  }
  if (action == "revoke") {
    if (positional.size() != 1) {
      return fail("keys revoke needs exactly one key id", 2);
    }
    auto revoked = keys.revoke(op, positional[0]);
    if (!revoked) {
      return fail(revoked.error().message);
    }
    if (!*revoked) {
      std::printf("API key %s was already revoked\n", positional[0].c_str());
      return 0;
    }
    spdlog::info("audit: api key {} revoked by {}", positional[0], actor);
    std::printf("revoked API key %s\n", positional[0].c_str());
    return 0;
  }
  return fail("unknown keys action '" + action + "'", 2);
}

}  // namespace castor::cli
