// castorctl: the command-line client of castor (push/pull trees as bundles, keyed objects).

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <CLI/CLI.hpp>

#include "client/config_file.h"
#include "client/context.h"
#include "client/exit_code.h"
#include "client/object_commands.h"
#include "client/output.h"
#include "client/progress_format.h"
#include "client/pull.h"
#include "client/push.h"
#include "client/size_parse.h"

namespace castor::client {
namespace {

constexpr const char* kConfigHelp =
    "Settings: flags, then CASTOR_URL, CASTOR_API_KEY, CASTOR_NAMESPACE, CASTOR_TENANT, then the\n"
    "config file ($CASTOR_CONFIG or ~/.config/castor/config.toml: url, api_key, namespace,\n"
    "tenant as TOML strings). Default URL http://localhost:8080, namespace 'default'.";

int fail(const Error& error) {
  std::fprintf(stderr, "castorctl: %s\n", error.message.c_str());
  return static_cast<int>(exit_code_for(error));
}

void print_push(const Context& context, const PushSummary& summary) {
  if (context.json) {
    print_json(summary.to_json());
    return;
  }
  for (const std::string& skipped : summary.skipped) {
    print_note("skipped " + skipped);
  }
  std::string line = std::string(summary.dry_run ? "would push " : "pushed ") +
                     std::to_string(summary.files) + " files (" +
                     format_bytes(summary.bytes_total) + "): ";
  if (summary.dry_run) {
    line += std::to_string(summary.blobs_missing) + " of " + std::to_string(summary.blobs_total) +
            " contents to upload";
  } else {
    line += std::to_string(summary.blobs_uploaded) + " blobs uploaded, " +
            format_bytes(summary.bytes_uploaded) + " sent";
    if (summary.bytes_reused > 0) {
      line += " (" + format_bytes(summary.bytes_reused) + " resumed: already on the server)";
    }
  }
  if (summary.objects_created + summary.objects_replaced + summary.objects_unchanged > 0) {
    line += "; objects: " + std::to_string(summary.objects_created) + " new, " +
            std::to_string(summary.objects_replaced) + " replaced, " +
            std::to_string(summary.objects_unchanged) + " unchanged";
  }
  print_note(line);
  if (summary.bundle) {
    print_line(std::string(summary.bundle->at("id").as_string()));
  }
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"castorctl: push and pull directory trees and objects to and from castor"};
  app.footer(std::string(kConfigHelp) + "\n\n" + exit_code_help());
  app.require_subcommand(1);
  app.fallthrough();

  ConfigLayer flags;
  std::string url, api_key, ns, tenant;
  Context context;
  app.add_option("--url", url, "server URL (CASTOR_URL)");
  app.add_option("--api-key", api_key,
                 "API key or JWT (CASTOR_API_KEY; a flag is visible to other local users)");
  app.add_option("-n,--namespace", ns, "namespace of keyed objects (CASTOR_NAMESPACE)");
  app.add_option("-t,--tenant", tenant, "tenant (CASTOR_TENANT; default: the credential's)");
  app.add_flag("--json", context.json, "print one JSON document on stdout");
  app.add_flag("-q,--quiet", context.quiet, "plain progress lines, no bars");
  app.add_flag("-v,--verbose", context.verbose, "one line per HTTP request on stderr");

  PushOptions push;
  std::string part_size = "64MiB";
  CLI::App* push_cmd = app.add_subcommand("push", "upload files and directories");
  push_cmd->add_option("paths", push.roots, "files and directories")->required();
  push_cmd->add_option("--exclude", push.excludes, "skip entries matching GLOB (repeatable)");
  push_cmd->add_flag("--bundle", push.bundle, "create a bundle and print its id");
  push_cmd->add_option("--prefix", push.prefix, "create keyed objects <prefix><relative path>");
  push_cmd
      ->add_option("-j,--jobs", push.jobs, "parallel uploads (and hashes, at most one per core)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  push_cmd
      ->add_option("--part-size", part_size,
                   "larger files go in resumable upload sessions, in parts of this size")
      ->capture_default_str();
  push_cmd->add_flag("--follow-symlinks", push.follow_symlinks, "follow symbolic links");
  push_cmd->add_flag("--dry-run", push.dry_run, "report what would be uploaded, change nothing");

  PullOptions pull;
  std::string pull_dest, pull_zip;
  CLI::App* pull_cmd = app.add_subcommand("pull", "download a bundle into DEST (./<id>)");
  pull_cmd->add_option("bundle_id", pull.bundle_id, "bundle id")->required();
  pull_cmd->add_option("dest", pull_dest, "destination directory (default ./<bundle id>)");
  pull_cmd->add_option("--zip", pull_zip, "save the bundle's ZIP archive to FILE ('-': stdout)");
  pull_cmd->add_option("-j,--jobs", pull.jobs, "parallel downloads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));

  std::string what = "bundles", prefix;
  CLI::App* ls_cmd = app.add_subcommand("ls", "list bundles, or objects under PREFIX");
  ls_cmd->add_option("what", what, "bundles (default) or objects");
  ls_cmd->add_option("prefix", prefix, "key prefix (objects)");

  std::string name, file_arg, key;
  bool force_key = false, bundle_flag = false, replace = false;
  std::vector<std::string> get_args;
  CLI::App* get_cmd = app.add_subcommand("get", "download an object (KEY or ID) to FILE or stdout");
  get_cmd->add_option("name", name, "key or object id")->required();
  get_cmd->add_option("file", file_arg, "destination ('-': stdout)");
  get_cmd->add_flag("--key", force_key, "NAME is a key even if it looks like an id");

  CLI::App* put_cmd = app.add_subcommand("put", "upload FILE as KEY");
  put_cmd->add_option("file", file_arg, "file to upload")->required();
  put_cmd->add_option("key", key, "key")->required();
  put_cmd->add_flag("--replace", replace, "replace a key holding other content");

  CLI::App* rm_cmd = app.add_subcommand("rm", "delete an object (KEY or ID) or a bundle");
  rm_cmd->add_option("name", name, "key, object id or (--bundle) bundle id")->required();
  rm_cmd->add_flag("--bundle", bundle_flag, "NAME is a bundle id");
  rm_cmd->add_flag("--key", force_key, "NAME is a key even if it looks like an id");

  CLI::App* stat_cmd = app.add_subcommand("stat", "show an object's (or bundle's) metadata");
  stat_cmd->add_option("name", name, "key, object id or (--bundle) bundle id")->required();
  stat_cmd->add_flag("--bundle", bundle_flag, "NAME is a bundle id");
  stat_cmd->add_flag("--key", force_key, "NAME is a key even if it looks like an id");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }

  if (!url.empty()) flags.url = url;
  if (!api_key.empty()) flags.api_key = api_key;
  if (!ns.empty()) flags.ns = ns;
  if (!tenant.empty()) flags.tenant = tenant;
  auto loaded = load_config(flags, [](const char* n) { return std::getenv(n); });
  if (!loaded) {
    return fail(loaded.error());
  }
  for (const std::string& warning : loaded->warnings) {
    print_note(warning);
  }
  context.config = loaded->config;
  // A per-connection send limit, for tests that interrupt an upload midway (not in --help).
  if (const char* rate = std::getenv("CASTORCTL_MAX_SEND_RATE"); rate != nullptr && *rate != '\0') {
    auto parsed = parse_size(rate);
    if (!parsed) {
      return fail(usage_error(std::string("CASTORCTL_MAX_SEND_RATE: not a size: ") + rate));
    }
    context.max_send_rate = *parsed;
  }

  if (push_cmd->parsed()) {
    auto size = parse_size(part_size);
    if (!size || *size == 0) {
      return fail(usage_error("--part-size: not a size: " + part_size));
    }
    push.part_size = *size;
    auto summary = run_push(context, push);
    if (!summary) {
      return fail(summary.error());
    }
    print_push(context, *summary);
    return 0;
  }
  if (pull_cmd->parsed()) {
    if (!pull_dest.empty()) pull.dest = pull_dest;
    if (!pull_zip.empty()) pull.zip_file = pull_zip;
    auto summary = run_pull(context, pull);
    if (!summary) {
      return fail(summary.error());
    }
    if (context.json) {
      print_json(summary->to_json());
    } else if (!pull.zip_file) {
      print_note("pulled " + std::to_string(summary->files) + " files into " + summary->dest +
                 " (" + std::to_string(summary->files_downloaded) + " downloaded, " +
                 std::to_string(summary->files_unchanged) + " already there)");
    }
    return 0;
  }
  Status status;
  if (ls_cmd->parsed()) {
    status = run_ls(context, what, prefix);
  } else if (get_cmd->parsed()) {
    status =
        run_get(context, name,
                file_arg.empty() ? std::nullopt : std::optional<std::string>(file_arg), force_key);
  } else if (put_cmd->parsed()) {
    status = run_put(context, file_arg, key, replace);
  } else if (rm_cmd->parsed()) {
    status = run_rm(context, name, bundle_flag, force_key);
  } else if (stat_cmd->parsed()) {
    status = run_stat(context, name, bundle_flag, force_key);
  }
  return status ? 0 : fail(status.error());
}

}  // namespace castor::client

int main(int argc, char** argv) {
  // A closed pipe or socket is an error to report, not a reason to die silently.
  std::signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int code = castor::client::run(argc, argv);
  curl_global_cleanup();
  return code;
}
