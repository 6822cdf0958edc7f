// libFuzzer target: the decoders of names and identifiers that arrive from clients, each on the
// whole input: Namespace and TenantId names, object keys, object ids, content hashes, the list
// cursor, storage classes, scopes, percent-escapes and RFC 3339 dates. Whatever one accepts must
// print back to what was given (modulo case where the format allows either).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_date.h"
#include "api/key_path.h"
#include "api/request_params.h"
#include "application/list_objects.h"
#include "domain/content_hash.h"
#include "domain/names.h"
#include "domain/object_id.h"
#include "domain/object_key.h"
#include "domain/principal.h"
#include "domain/storage_class.h"
#include "fuzz_check.h"

namespace {

using namespace castor;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto ns = Namespace::parse(text)) {
    CASTOR_FUZZ_CHECK(ns->str() == text);
    CASTOR_FUZZ_CHECK(TenantId::parse(text).has_value());  // the same rule
  } else {
    CASTOR_FUZZ_CHECK(ns.error().code == ErrorCode::kInvalidArgument);
  }
  if (auto key = ObjectKey::parse(text)) {
    CASTOR_FUZZ_CHECK(key->str() == text);
    CASTOR_FUZZ_CHECK(!text.empty() && text.size() <= ObjectKey::kMaxBytes);
    CASTOR_FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  }
  if (auto id = ObjectId::parse(text)) {
    CASTOR_FUZZ_CHECK(id->to_string() == lower(text));
    CASTOR_FUZZ_CHECK(ObjectId::parse(id->to_string()).has_value());
  }
  if (auto hash = ContentHash::parse(text)) {
    CASTOR_FUZZ_CHECK(hash->hex().size() == 64);
    CASTOR_FUZZ_CHECK(lower(text).ends_with(hash->hex()));
    CASTOR_FUZZ_CHECK(ContentHash::parse(hash->to_string()).has_value());
  }
  if (auto cursor = ListObjects::decode_cursor(text)) {
    CASTOR_FUZZ_CHECK(ListObjects::encode_cursor(*cursor) == lower(text));
  }
  if (auto sc = parse_storage_class(text)) {
    CASTOR_FUZZ_CHECK(to_string(*sc) == text);
  }
  if (auto scopes = Scopes::parse(text)) {
    auto again = Scopes::parse(scopes->to_string());
    CASTOR_FUZZ_CHECK(again && *again == *scopes);
  }
  for (bool plus_is_space : {false, true}) {
    if (auto decoded = http_params::percent_decode(text, plus_is_space)) {
      CASTOR_FUZZ_CHECK(decoded->size() <= text.size());
    }
  }
  if (auto when = http_params::parse_rfc3339(text)) {
    // What we print parses back to the same instant.
    auto again = http_params::parse_rfc3339(http_params::rfc3339(*when));
    CASTOR_FUZZ_CHECK(again && *again == *when);
    // And so does its HTTP-date, to the second (four-digit years, 0000 included).
    const auto date = http_params::parse_http_date(http_params::http_date(*when));
    CASTOR_FUZZ_CHECK(date && *date == std::chrono::floor<std::chrono::seconds>(*when));
  }
  // The same text as the tail of a by-key path (after "/v1/objects/by-key/").
  if (auto kp = api::parse_key_path(text)) {
    CASTOR_FUZZ_CHECK(!kp->key.str().empty());
  }
  return 0;
}
