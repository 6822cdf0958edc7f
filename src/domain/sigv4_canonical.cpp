#include "domain/sigv4_canonical.h"

#include <algorithm>
#include <utility>

#include "domain/hex.h"

namespace castor {
namespace {

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_lowercase(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (ascii_lower(name[i]) != lower[i]) {
      return false;
    }
  }
  return true;
}

Error invalid_uri(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message), "InvalidURI"};
}

}  // namespace

std::string sigv4_uri_encode(std::string_view bytes, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (text.size() - i < 3) {
        return invalid_uri("a '%' in the request URI is not followed by two hex digits");
      }
      auto hi = hex_digit(text[i + 1]);
      auto lo = hex_digit(text[i + 2]);
      if (!hi || !lo) {
        return invalid_uri("a '%' in the request URI is not followed by two hex digits");
      }
      out.push_back(static_cast<char>(*hi << 4 | *lo));
      i += 2;
    } else if (text[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<std::string> canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) {
    return std::string("/");
  }
  if (raw_path.front() != '/') {
    return invalid_uri("the request path must start with '/'");
  }
  auto decoded = percent_decode(raw_path, false);
  if (!decoded) {
    return std::move(decoded).error();
  }
  return sigv4_uri_encode(*decoded, false);
}

Result<std::vector<QueryParam>> parse_query(std::string_view raw_query) {
  std::vector<QueryParam> params;
  while (!raw_query.empty()) {
    const std::size_t amp = raw_query.find('&');
    const std::string_view piece = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    const std::size_t eq = piece.find('=');
    auto name = percent_decode(piece.substr(0, eq), true);
    if (!name) {
      return std::move(name).error();
    }
    std::string value;
    if (eq != std::string_view::npos) {
      auto decoded = percent_decode(piece.substr(eq + 1), true);
      if (!decoded) {
        return std::move(decoded).error();
      }
      value = std::move(*decoded);
    }
    params.push_back({std::move(*name), std::move(value)});
  }
  return params;
}

std::string canonical_query(const std::vector<QueryParam>& params, std::string_view exclude) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const QueryParam& p : params) {
    if (!exclude.empty() && p.name == exclude) {
      continue;
    }
    encoded.emplace_back(sigv4_uri_encode(p.name, true), sigv4_uri_encode(p.value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string trim_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (is_blank(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.push_back(c);
  }
  return out;
}

std::string canonical_headers(const std::vector<HttpField>& headers,
                              const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    out.append(name).push_back(':');
    bool first = true;
    for (const HttpField& field : headers) {
      if (!equals_lowercase(field.name, name)) {
        continue;
      }
      if (!first) {
        out.push_back(',');
      }
      out.append(trim_header_value(field.value));
      first = false;
    }
    out.push_back('\n');
  }
  return out;
}

std::string join_signed_headers(const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    if (!out.empty()) {
      out.push_back(';');
    }
    out.append(name);
  }
  return out;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 8);
  out.append(method).push_back('\n');
  out.append(canonical_uri).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(canonical_headers).push_back('\n');
  out.append(signed_headers).push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string out;
  out.append(date).append("/").append(region).append("/").append(service).append("/aws4_request");
  return out;
}

std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request, const Sigv4Crypto& crypto) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(digest_hex(crypto.sha256(canonical_request)));
  return out;
}

Sha256Digest sigv4_signing_key(std::string_view secret_key, std::string_view date,
                               std::string_view region, std::string_view service,
                               const Sigv4Crypto& crypto) {
  std::string first_key = "AWS4";
  first_key.append(secret_key);
  const Sha256Digest k_date = crypto.hmac_sha256(first_key, date);
  std::fill(first_key.begin(), first_key.end(), '\0');
  const Sha256Digest k_region = crypto.hmac_sha256(digest_bytes(k_date), region);
  const Sha256Digest k_service = crypto.hmac_sha256(digest_bytes(k_region), service);
  return crypto.hmac_sha256(digest_bytes(k_service), "aws4_request");
}

std::string sigv4_signature(const Sha256Digest& signing_key, std::string_view string_to_sign,
                            const Sigv4Crypto& crypto) {
  return digest_hex(crypto.hmac_sha256(digest_bytes(signing_key), string_to_sign));
}

std::string chunk_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view previous_signature,
                                 std::string_view chunk_sha256_hex) {
  std::string out = "AWS4-HMAC-SHA256-PAYLOAD\n";
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(previous_signature).push_back('\n');
  out.append(kEmptySha256).push_back('\n');
  out.append(chunk_sha256_hex);
  return out;
}

std::string trailer_string_to_sign(std::string_view amz_date, std::string_view scope,
                                   std::string_view previous_signature,
                                   std::string_view trailers_sha256_hex) {
  std::string out = "AWS4-HMAC-SHA256-TRAILER\n";
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(previous_signature).push_back('\n');
  out.append(trailers_sha256_hex);
  return out;
}

bool signature_matches(const Sha256Digest& expected, std::string_view given_hex) {
  Sha256Digest given{};
  if (!from_hex(given_hex, given)) {
    return false;
  }
  unsigned difference = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    difference |= static_cast<unsigned>(expected[i] ^ given[i]);
  }
  return difference == 0;
}

std::string digest_hex(const Sha256Digest& digest) { return to_hex(digest); }

}  // namespace castor
