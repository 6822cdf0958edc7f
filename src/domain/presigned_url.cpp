#include "domain/presigned_url.h"

#include <charconv>
#include <vector>

#include "domain/hex.h"

namespace castor {
namespace {

Error mismatch(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message), "signature_mismatch"};
}

// Decodes %XX escapes and '+' (a space); nullopt on a malformed escape.
std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      auto hi = hex_digit(text[i + 1]);
      auto lo = hex_digit(text[i + 2]);
      if (!hi || !lo) {
        return std::nullopt;
      }
      out += static_cast<char>((*hi << 4) | *lo);
      i += 2;
    }
  }
  return out;
}

// The name of a query parameter "name=value" (or "name").
std::string_view param_name(std::string_view param) { return param.substr(0, param.find('=')); }

std::string_view param_value(std::string_view param) {
  const auto eq = param.find('=');
  return eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
}

std::vector<std::string_view> split_query(std::string_view query) {
  std::vector<std::string_view> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    out.push_back(query.substr(0, amp));
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return out;
}

bool is_presign_param(std::string_view name) {
  auto decoded = unescape(name);
  return decoded && decoded->starts_with("X-Castor-");
}

}  // namespace

std::string presign_string_to_sign(std::string_view path, std::string_view unsigned_query) {
  std::string out = "CASTOR-PRESIGN-V1\n";
  out.append(path).append("\n").append(unsigned_query);
  return out;
}

std::string presign_query_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::string> presign_unsigned_target(std::string_view target, const PresignParams& params) {
  if (target.find('#') != std::string_view::npos) {
    return invalid_argument("the path must not carry a fragment");
  }
  const auto q = target.find('?');
  if (q != std::string_view::npos) {
    for (std::string_view param : split_query(target.substr(q + 1))) {
      if (is_presign_param(param_name(param))) {
        return invalid_argument("the path must not carry X-Castor-* parameters");
      }
    }
  }
  std::string out(target);
  if (q == std::string_view::npos) {
    out += '?';
  } else if (q + 1 < target.size() && target.back() != '&') {
    out += '&';
  }
  out.append(kPresignExpiresParam).append("=").append(std::to_string(params.expires));
  out.append("&").append(kPresignCredentialParam).append("=");
  out.append(presign_query_escape(params.credential));
  if (params.tenant) {
    out.append("&").append(kPresignTenantParam).append("=");
    out.append(presign_query_escape(*params.tenant));
  }
  if (params.namespaces) {
    out.append("&").append(kPresignNamespacesParam).append("=");
    out.append(presign_query_escape(*params.namespaces));
  }
  return out;
}

Result<PresignedTarget> parse_presigned_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) {
    return mismatch("not a presigned URL");
  }
  PresignedTarget out;
  out.path = std::string(target.substr(0, q));
  const std::string_view query = target.substr(q + 1);
  const auto last_amp = query.rfind('&');
  const std::string_view last =
      last_amp == std::string_view::npos ? query : query.substr(last_amp + 1);
  if (param_name(last) != kPresignSignatureParam || last.find('=') == std::string_view::npos) {
    return mismatch("the signature must be the URL's last parameter");
  }
  out.signature_hex = std::string(param_value(last));
  out.unsigned_query =
      last_amp == std::string_view::npos ? std::string() : std::string(query.substr(0, last_amp));
  bool have_expires = false;
  bool have_credential = false;
  for (std::string_view param : split_query(out.unsigned_query)) {
    auto name = unescape(param_name(param));
    auto value = unescape(param_value(param));
    if (!name || !value) {
      return mismatch("malformed query parameter");
    }
    if (!name->starts_with("X-Castor-")) {
      continue;
    }
    if (*name == kPresignExpiresParam && !have_expires) {
      const char* end = value->data() + value->size();
      auto [ptr, ec] = std::from_chars(value->data(), end, out.params.expires);
      if (ec != std::errc() || ptr != end || value->empty()) {
        return mismatch("malformed X-Castor-Expires");
      }
      have_expires = true;
    } else if (*name == kPresignCredentialParam && !have_credential) {
      out.params.credential = std::move(*value);
      have_credential = true;
    } else if (*name == kPresignTenantParam && !out.params.tenant) {
      out.params.tenant = std::move(*value);
    } else if (*name == kPresignNamespacesParam && !out.params.namespaces) {
      out.params.namespaces = std::move(*value);
    } else {
      return mismatch("unexpected or repeated parameter " + *name);
    }
  }
  if (!have_expires || !have_credential) {
    return mismatch("X-Castor-Expires and X-Castor-Credential are required");
  }
  return out;
}

}  // namespace castor
