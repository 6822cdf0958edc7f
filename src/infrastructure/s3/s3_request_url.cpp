#include "infrastructure/s3/s3_request_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "domain/sigv4_canonical.h"

namespace castor {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result<S3Endpoint> parse_s3_endpoint(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return invalid_argument("the S3 endpoint '" + std::string(url) + "' " + std::string(why) +
                            " (expected http(s)://host[:port])");
  };
  S3Endpoint endpoint;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return bad("has no scheme");
  }
  endpoint.scheme = lowercase(url.substr(0, scheme_end));
  if (endpoint.scheme != "http" && endpoint.scheme != "https") {
    return bad("is neither http nor https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return bad("has a path, query, fragment or user info");
  }
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos || close < 3) {
      return bad("has a malformed IPv6 address");
    }
    for (char c : rest.substr(1, close - 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
        return bad("has a malformed IPv6 address");
      }
    }
    endpoint.host = std::string(rest.substr(0, close + 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return bad("has text after the IPv6 address");
      }
      port_text = rest.substr(1);
    }
  } else {
    const std::size_t colon = rest.find(':');
    const std::string_view host = rest.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
      return bad("has no valid host");
    }
    endpoint.host = lowercase(host);
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
    }
  }
  if (port_text.data() != nullptr && !port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad("has an invalid port");
    }
    endpoint.port = static_cast<std::uint16_t>(port);
  } else if (port_text.data() != nullptr) {
    return bad("has an empty port");
  }
  return endpoint;
}

std::string s3_escape_key(std::string_view key) { return sigv4_uri_encode(key, false); }

std::string s3_query_string(std::vector<S3QueryParam> params) {
  for (auto& [name, value] : params) {
    name = sigv4_uri_encode(name, true);
    value = sigv4_uri_encode(value, true);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    out.append(out.empty() ? "" : "&").append(name).append("=").append(value);
  }
  return out;
}

S3UrlBuilder::S3UrlBuilder(S3Endpoint endpoint, std::string bucket, bool path_style)
    : endpoint_(std::move(endpoint)), bucket_(std::move(bucket)), path_style_(path_style) {}

std::string S3UrlBuilder::target(std::string_view key, bool bucket_level,
                                 std::string_view query) const {
  std::string path;
  if (path_style_) {
    path = "/" + s3_escape_key(bucket_);
    if (!bucket_level) {
      path.append("/").append(s3_escape_key(key));
    }
  } else {
    path = "/";
    if (!bucket_level) {
      path.append(s3_escape_key(key));
    }
  }
  if (!query.empty()) {
    path.append("?").append(query);
  }
  return path;
}

std::string S3UrlBuilder::host_header() const {
  std::string host = path_style_ ? endpoint_.host : bucket_ + "." + endpoint_.host;
  const std::uint16_t default_port = endpoint_.scheme == "https" ? 443 : 80;
  if (endpoint_.port && *endpoint_.port != default_port) {
    host.append(":").append(std::to_string(*endpoint_.port));
  }
  return host;
}

std::string S3UrlBuilder::origin() const { return endpoint_.scheme + "://" + host_header(); }

std::string S3UrlBuilder::url(std::string_view key, bool bucket_level,
                              std::string_view query) const {
  return origin() + target(key, bucket_level, query);
}

std::string S3UrlBuilder::endpoint_text() const {
  std::string text = endpoint_.scheme + "://" + endpoint_.host;
  if (endpoint_.port) {
    text.append(":").append(std::to_string(*endpoint_.port));
  }
  return text;
}

}  // namespace castor
