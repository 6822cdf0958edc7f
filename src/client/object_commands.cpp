#include "client/object_commands.h"

#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "client/api_common.h"
#include "client/bundle_api.h"
#include "client/exit_code.h"
#include "client/file_sink.h"
#include "client/object_api.h"
#include "client/output.h"
#include "client/progress.h"
#include "client/progress_format.h"
#include "client/sha256.h"

namespace castor::client {
namespace {

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) {
    text.insert(0, width - text.size(), ' ');
  }
  return text;
}

boost::json::array to_array(std::vector<boost::json::object> objects) {
  boost::json::array array;
  for (auto& object : objects) {
    array.emplace_back(std::move(object));
  }
  return array;
}

std::string object_name(const boost::json::object& object) {
  const std::string key = string_member(object, "key");
  return key.empty() ? string_member(object, "id") : key;
}

std::string hash_hex(std::string hash) {
  if (hash.starts_with("sha256:")) {
    hash.erase(0, 7);
  }
  return hash;
}

}  // namespace

Status run_ls(const Context& context, const std::string& what, const std::string& prefix) {
  HttpClient http(context.http_options());
  if (what == "bundles") {
    if (!prefix.empty()) {
      return usage_error("ls bundles takes no prefix");
    }
    auto bundles = list_bundles(http, context.config);
    if (!bundles) {
      return std::move(bundles).error();
    }
    if (context.json) {
      print_json(to_array(*std::move(bundles)));
      return {};
    }
    for (const auto& bundle : *bundles) {
      print_line(
          string_member(bundle, "id") + "  " + string_member(bundle, "created_at") + "  " +
          pad(std::to_string(int_member(bundle, "file_count")), 7) + " files  " +
          pad(format_bytes(static_cast<std::uint64_t>(int_member(bundle, "total_bytes"))), 10));
    }
    return {};
  }
  if (what != "objects") {
    return usage_error("ls lists 'bundles' or 'objects [PREFIX]'");
  }
  auto objects = list_objects(http, context.config, prefix);
  if (!objects) {
    return std::move(objects).error();
  }
  if (context.json) {
    print_json(to_array(*std::move(objects)));
    return {};
  }
  for (const auto& object : *objects) {
    print_line(pad(std::to_string(int_member(object, "size_bytes")), 12) + "  " +
               string_member(object, "created_at") + "  " + object_name(object));
  }
  return {};
}

Status run_get(const Context& context, const std::string& name, std::optional<std::string> file,
               bool force_key) {
  const ObjectRef ref = object_ref(name, force_key);
  HttpClient http(context.http_options());
  const bool to_stdout = file ? *file == "-" : ::isatty(STDOUT_FILENO) != 1;
  if (to_stdout) {
    StdoutSink sink;
    auto response = get_object(http, context.config, ref, sink);
    if (!response) {
      return std::move(response).error();
    }
    const std::string expected = etag_hash(response->header("etag"));
    if (const std::string actual = sink.hex_digest(); actual != expected) {
      return verification_error(ref.describe() + ": received content has SHA-256 " + actual +
                                ", the server announced " + expected);
    }
    return {};
  }
  std::filesystem::path target;
  if (file) {
    target = *file;
  }
  if (!file || std::filesystem::is_directory(target)) {
    std::string base = ref.id ? *ref.id : ref.key.substr(ref.key.rfind('/') + 1);
    if (base.empty() || base == "." || base == "..") {
      return usage_error("cannot name a file after " + ref.describe() + "; give FILE");
    }
    target /= base;
  }
  FileSink sink(target);
  Progress progress(context.style(), "downloading", 1, 0);
  auto response = get_object(http, context.config, ref, sink,
                             [&](std::int64_t delta) { progress.add_bytes(delta); });
  if (!response) {
    return std::move(response).error();
  }
  progress.add_file();
  progress.finish();
  const std::string expected = etag_hash(response->header("etag"));
  if (const std::string actual = sink.hex_digest(); actual != expected) {
    return verification_error(ref.describe() + ": received content has SHA-256 " + actual +
                              ", the server announced " + expected + "; nothing written");
  }
  if (Status s = sink.commit(std::nullopt); !s) {
    return s;
  }
  if (context.json) {
    print_json(boost::json::object{
        {"file", target.string()}, {"size_bytes", sink.size()}, {"sha256", expected}});
  } else {
    print_note("wrote " + target.string() + " (" + format_bytes(sink.size()) + ")");
  }
  return {};
}

Status run_put(const Context& context, const std::string& file, const std::string& key,
               bool replace) {
  auto hash = hash_file(file);
  if (!hash) {
    return std::move(hash).error();
  }
  HttpClient http(context.http_options());
  const ObjectRef ref = object_ref(key, true);
  auto head = head_object(http, context.config, ref);
  if (head) {
    if (etag_hash(head->header("etag")) == *hash) {
      if (context.json) {
        print_json(boost::json::object{{"key", key}, {"sha256", *hash}, {"unchanged", true}});
      } else {
        print_note(key + " already holds this content (sha256 " + *hash + ")");
      }
      return {};
    }
    if (!replace) {
      return Error{ErrorCode::kAlreadyExists,
                   "key " + key + " holds other content; use --replace or `castorctl rm` first"};
    }
    if (Status s = delete_object(http, context.config, ref);
        !s && s.error().code != ErrorCode::kNotFound) {
      return s;
    }
  } else if (head.error().code != ErrorCode::kNotFound) {
    return std::move(head).error();
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  Progress progress(context.style(), "uploading", 1, ec ? 0 : size);
  auto object = post_object(http, context.config, key, file, *hash,
                            [&](std::int64_t delta) { progress.add_bytes(delta); });
  progress.add_file();
  progress.finish();
  if (!object) {
    return std::move(object).error();
  }
  if (context.json) {
    print_json(*object);
  } else {
    print_line(string_member(*object, "id"));
  }
  return {};
}

Status run_rm(const Context& context, const std::string& name, bool bundle, bool force_key) {
  HttpClient http(context.http_options());
  Status status = bundle ? delete_bundle(http, context.config, name)
                         : delete_object(http, context.config, object_ref(name, force_key));
  if (status && context.json) {
    print_json(boost::json::object{{"deleted", name}});
  }
  return status;
}

Status run_stat(const Context& context, const std::string& name, bool bundle, bool force_key) {
  HttpClient http(context.http_options());
  if (bundle) {
    auto manifest = get_bundle(http, context.config, name);
    if (!manifest) {
      return std::move(manifest).error();
    }
    boost::json::object summary = manifest->summary;
    summary.erase("metadata");
    if (context.json) {
      print_json(summary);
    } else {
      for (const auto& [field, value] : summary) {
        print_line(
            pad(std::string(field), 13) + ": " +
            (value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value)));
      }
    }
    return {};
  }
  const ObjectRef ref = object_ref(name, force_key);
  boost::json::object object;
  if (ref.id) {
    auto head = head_object(http, context.config, ref);
    if (!head) {
      return std::move(head).error();
    }
    object = {{"id", *ref.id},
              {"size_bytes", std::stoll("0" + head->header("content-length"))},
              {"content_type", head->header("content-type")},
              {"content_hash", "sha256:" + etag_hash(head->header("etag"))},
              {"last_modified", head->header("last-modified")}};
  } else {
    auto listed = list_objects(http, context.config, ref.key, 1);
    if (!listed) {
      return std::move(listed).error();
    }
    if (listed->empty() || string_member(listed->front(), "key") != ref.key) {
      return not_found("no object with key " + ref.key + " in namespace " + context.config.ns);
    }
    object = listed->front();
  }
  if (context.json) {
    print_json(object);
    return {};
  }
  for (const char* field : {"key", "id", "namespace", "tenant_id", "size_bytes", "content_type",
                            "content_hash", "storage_class", "created_at", "last_modified"}) {
    if (const boost::json::value* value = object.if_contains(field)) {
      if (value->is_null()) {
        continue;
      }
      std::string text =
          value->is_string() ? std::string(value->as_string()) : boost::json::serialize(*value);
      if (std::string_view(field) == "content_hash") {
        text = hash_hex(text);
        field = "sha256";
      }
      print_line(pad(field, 13) + ": " + text);
    }
  }
  return {};
}

}  // namespace castor::client
