// libFuzzer target: arbitrary bytes arriving on a castor connection. Requests are read as the
// server's sessions read them (src/api/http_server.cpp): one read buffer for the connection, a
// fresh request_parser<buffer_body> per request with castor's header limit and no body limit,
// the header first, then the body in fixed chunks as read_body_chunk moves it; pipelined requests
// follow while the connection stays open. Each header then goes through castor's request handling
// up to the use-case boundary: the request id, the target and query, the route's path (by-key
// path, object id, API key id), the object and listing parameters from headers or query, the
// credential's shape, Range and the conditional headers.
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "api/key_path.h"
#include "api/request_params.h"
#include "application/list_objects.h"
#include "domain/content_hash.h"
#include "domain/names.h"
#include "domain/object_id.h"
#include "domain/object_key.h"
#include "domain/storage_class.h"
#include "fuzz_check.h"
#include "infrastructure/api_key_secrets.h"

namespace {

using namespace castor;
namespace beast = boost::beast;
namespace http = beast::http;
namespace hp = http_params;

constexpr std::size_t kHeaderLimit = 16 * 1024;  // as api::kHeaderLimit
constexpr std::size_t kChunkSize = 4096;         // api::kChunkSize is 256 KiB; smaller finds more
constexpr int kMaxRequestsPerConnection = 8;
constexpr std::string_view kEtag =
    "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"";

using Parser = http::request_parser<http::buffer_body>;

// As Exchange::header: the value, nullopt if absent or empty.
std::optional<std::string> header(const Parser& p, std::string_view name) {
  auto it = p.get().find(beast::string_view(name.data(), name.size()));
  if (it == p.get().end() || it->value().empty()) {
    return std::nullopt;
  }
  return std::string(it->value());
}

// As Exchange::param: the header, else the query parameter (empty counts as absent).
std::optional<std::string> param(const Parser& p, const hp::Target& t, std::string_view name,
                                 const std::string& query_name) {
  if (auto h = header(p, name)) {
    return h;
  }
  auto q = t.get(query_name);
  if (q && q->empty()) {
    return std::nullopt;
  }
  return q;
}

// The object parameters of an upload (handle_upload) and a listing (handle_list), parsed and
// thrown away: only crashes and broken invariants matter.
void object_parameters(const Parser& p, const hp::Target& t) {
  if (auto ns = param(p, t, "X-Namespace", "namespace")) {
    (void)Namespace::parse(*ns);
  }
  if (auto tenant = param(p, t, "X-Tenant", "tenant_id")) {
    (void)TenantId::parse(*tenant);
  }
  if (auto key = param(p, t, "X-Key", "key")) {
    if (auto k = ObjectKey::parse(*key)) {
      CASTOR_FUZZ_CHECK(k->str() == *key);
    }
  }
  if (auto cls = param(p, t, "X-Storage-Class", "storage_class")) {
    (void)parse_storage_class(*cls);
  }
  if (auto expected = header(p, "X-Content-SHA256")) {
    (void)ContentHash::parse(*expected);
  }
  if (auto text = t.get("limit")) {
    std::uint64_t n = 0;
    (void)std::from_chars(text->data(), text->data() + text->size(), n);
  }
  if (auto cursor = t.get("cursor")) {
    if (auto c = ListObjects::decode_cursor(*cursor)) {
      (void)ListObjects::encode_cursor(*c);
    }
  }
}

// Range and conditionals as send_content applies them, for a few content sizes.
void download_headers(const Parser& p) {
  const auto inm = header(p, "If-None-Match");
  if (inm) {
    (void)hp::if_none_match_matches(*inm, kEtag);
  }
  std::optional<std::string> range = header(p, "Range");
  if (auto if_range = header(p, "If-Range");
      range && if_range && !hp::if_range_matches(*if_range, kEtag)) {
    range.reset();
  }
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{5000}, UINT64_MAX}) {
    const hp::RangeDecision d = hp::decide_range(range, size);
    if (d.kind == hp::RangeDecision::kPartial) {
      CASTOR_FUZZ_CHECK(d.range.first <= d.range.last && d.range.last < size);
    }
  }
}

// What the server does with one request's header, up to the use cases.
void handle(const Parser& p) {
  if (auto id = header(p, "X-Request-Id")) {
    (void)hp::is_sane_request_id(*id);
  }
  const auto req_target = p.get().target();
  auto target = hp::parse_target(std::string_view(req_target.data(), req_target.size()));
  if (!target) {
    return;
  }
  const std::string& path = target->path;
  constexpr std::string_view kByKey = "/v1/objects/by-key/";
  constexpr std::string_view kById = "/v1/objects/";
  constexpr std::string_view kApiKey = "/v1/admin/api-keys/";

  // The credential, as ServerCore::authenticate picks it before Authenticate sees it.
  std::optional<std::string> presented;
  if (auto authorization = header(p, "Authorization")) {
    std::string_view value = *authorization;
    if (value.size() > 7 && beast::iequals(value.substr(0, 7), "Bearer ")) {
      presented = std::string(value.substr(7));
    }
  } else {
    presented = header(p, "X-API-Key");
  }
  if (presented && presented->starts_with("cst_")) {
    (void)split_api_key(*presented);
  }

  if (path == "/v1/objects") {
    object_parameters(p, *target);
  } else if (path.starts_with(kByKey)) {
    if (auto kp = api::parse_key_path(std::string_view(path).substr(kByKey.size()))) {
      CASTOR_FUZZ_CHECK(!kp->key.str().empty());
    }
    download_headers(p);
  } else if (path.starts_with(kById) && path.find('/', kById.size()) == std::string::npos) {
    (void)ObjectId::parse(std::string_view(path).substr(kById.size()));
    if (auto tenant = param(p, *target, "X-Tenant", "tenant_id")) {
      (void)TenantId::parse(*tenant);
    }
    download_headers(p);
  } else if (path.starts_with(kApiKey)) {
    (void)hp::percent_decode(std::string_view(path).substr(kApiKey.size()), false);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;  // a connection closed before sending anything
  }
  beast::flat_buffer buffer;  // the connection's read buffer, kept across requests
  auto in = buffer.prepare(size);
  std::memcpy(in.data(), data, size);
  buffer.commit(size);
  std::array<char, kChunkSize> chunk;

  for (int n = 0; n < kMaxRequestsPerConnection && buffer.size() > 0; ++n) {
    Parser parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(boost::none);
    beast::error_code ec;

    // The header (async_read_header): all the input there is, then end of stream.
    while (!parser.is_header_done()) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        if (buffer.size() > 0 && used > 0) {
          ec = {};
          continue;
        }
        parser.put_eof(ec);
      }
      if (ec) {
        return 0;  // 400 and close
      }
    }
    handle(parser);

    // The body (read_body_chunk): fixed chunks until done, end of stream or an error.
    while (!parser.is_done()) {
      auto& body = parser.get().body();
      body.data = chunk.data();
      body.size = chunk.size();
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      const std::size_t got = chunk.size() - parser.get().body().size;
      CASTOR_FUZZ_CHECK(got <= chunk.size());
      if (ec == http::error::need_buffer) {
        ec = {};
        continue;  // the chunk is full
      }
      if (ec == http::error::need_more) {
        if (buffer.size() > 0 && used > 0) {
          ec = {};
          continue;
        }
        parser.put_eof(ec);
        if (!ec && !parser.is_done()) {
          return 0;
        }
      }
      if (ec) {
        return 0;  // incomplete or malformed body: 400 and close
      }
      if (used == 0 && got == 0) {
        return 0;  // no progress: the connection would wait for more bytes
      }
    }
    if (!parser.get().keep_alive()) {
      return 0;
    }
  }
  return 0;
}
