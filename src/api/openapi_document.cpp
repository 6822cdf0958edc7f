#include "api/openapi_document.h"

#include <array>
#include <cstdlib>

#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "domain/hex.h"

namespace castor::api {
namespace {

namespace json = boost::json;

void merge_into(json::value& base, const json::value& patch) {
  if (base.is_object() && patch.is_object()) {
    json::object& into = base.as_object();
    for (const auto& [name, value] : patch.as_object()) {
      if (json::value* existing = into.if_contains(name)) {
        merge_into(*existing, value);
      } else {
        into[name] = value;
      }
    }
    return;
  }
  if (base.is_array() && patch.is_array()) {
    json::array& into = base.as_array();
    for (const json::value& element : patch.as_array()) {
      bool present = false;
      for (const json::value& have : into) {
        present = present || have == element;
      }
      if (!present) {
        into.push_back(element);
      }
    }
    return;
  }
  base = patch;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return to_hex(std::span<const unsigned char>(digest.data(), size));
}

}  // namespace

Result<std::string> merge_openapi(std::span<const std::string_view> sources) {
  json::value merged;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    boost::system::error_code ec;
    json::value source = json::parse(sources[i], ec);
    if (ec || !source.is_object()) {
      return invalid_argument("OpenAPI source " + std::to_string(i) + " is not a JSON object" +
                              (ec ? ": " + ec.message() : std::string()));
    }
    if (i == 0) {
      merged = std::move(source);
    } else {
      merge_into(merged, source);
    }
  }
  if (!merged.is_object()) {
    return invalid_argument("no OpenAPI source");
  }
  return json::serialize(merged);
}

const OpenApiDocument& openapi_document() {
  static const OpenApiDocument document = [] {
    auto merged = merge_openapi(embedded_openapi_sources());
    if (!merged) {
      spdlog::critical("the embedded OpenAPI document is malformed: {}", merged.error().message);
      std::abort();
    }
    OpenApiDocument d;
    d.etag = "\"" + sha256_hex(*merged) + "\"";
    d.json = std::move(*merged);
    return d;
  }();
  return document;
}

}  // namespace castor::api
