#include "cli/keys_command.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "api/http_date.h"
#include "application/manage_api_keys.h"
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

}  // namespace

int run_keys(std::vector<std::string> args) {
  if (args.empty()) {
    return fail("keys needs create, list or revoke (castor --help)", 2);
  }
  const std::string action = args[0];
  args.erase(args.begin());
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::vector<std::string> settings;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--tenant" || a == "--scopes" || a == "--expires" || a == "--expires-in" ||
        a == "--description") {
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
  SystemClock clock;
  OpenSslKeyMaterial material;
  ManageApiKeys keys(metadata, material, clock);
  const passwd* user = ::getpwuid(::getuid());
  const std::string actor = std::string("cli:").append(user != nullptr ? user->pw_name : "unknown");

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
    std::optional<Timestamp> expires;
    if (flags.contains("--expires")) {
      expires = http_params::parse_rfc3339(flags["--expires"]);
      if (!expires) {
        return fail("--expires must be RFC 3339, like 2027-01-31T00:00:00Z", 2);
      }
    } else if (flags.contains("--expires-in")) {
      char* end = nullptr;
      const long long seconds = std::strtoll(flags["--expires-in"].c_str(), &end, 10);
      if (end == nullptr || *end != '\0' || seconds <= 0) {
        return fail("--expires-in must be a positive number of seconds", 2);
      }
      expires = clock.now() + std::chrono::seconds(seconds);
    }
    auto created = keys.create(tenant, *scopes, expires, flags["--description"], actor);
    if (!created) {
      return fail(created.error().message);
    }
    spdlog::info("audit: api key {} created by {} (tenant={}, scopes=\"{}\")", created->key.id,
                 actor, flags["--tenant"], scopes->to_string());
    std::printf("%s\n", created->token.c_str());
    return 0;
  }
  if (action == "list") {
    auto all = keys.list();
    if (!all) {
      return fail(all.error().message);
    }
    std::printf("%-12s  %-20s  %-44s  %-27s  %s\n", "ID", "TENANT", "SCOPES", "EXPIRES", "STATE");
    const Timestamp now = clock.now();
    for (const ApiKey& k : *all) {
      std::printf("%-12s  %-20s  %-44s  %-27s  %s\n", k.id.c_str(),
                  k.tenant ? k.tenant->str().c_str() : "*", k.scopes.to_string().c_str(),
                  k.expires_at ? http_params::rfc3339(*k.expires_at).c_str() : "never",
                  k.revoked_at ? "revoked" : (k.usable(now) ? "active" : "expired"));
    }
    return 0;
  }
  if (action == "revoke") {
    if (positional.size() != 1) {
      return fail("keys revoke needs exactly one key id", 2);
    }
    auto revoked = keys.revoke(positional[0]);
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
