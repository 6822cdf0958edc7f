// parse_sigv4_auth and parse_payload_mode of domain/sigv4.h: the form of a request's SigV4
// authentication, before any key is looked up.

#include <algorithm>
#include <utility>

#include "domain/amz_date.h"
#include "domain/hex.h"
#include "domain/sigv4.h"

namespace castor {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::size_t kMaxAccessKeyIdBytes = 128;
constexpr std::size_t kMaxRegionBytes = 64;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The fields of `request` named `name` (any case).
std::vector<std::string_view> header_values(const Sigv4Request& request, std::string_view name) {
  std::vector<std::string_view> values;
  for (const HttpField& field : request.headers) {
    if (iequals(field.name, name)) {
      values.push_back(trim_blanks(field.value));
    }
  }
  return values;
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Parses "AKID/YYYYMMDD/region/s3/aws4_request"; errors carry `reason`.
Result<Sigv4Credential> parse_credential(std::string_view text, const char* reason) {
  std::vector<std::string_view> parts;
  while (parts.size() < 6) {
    const std::size_t slash = text.find('/');
    parts.push_back(text.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    text.remove_prefix(slash + 1);
  }
  const std::string expecting =
      "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/"
      "aws4_request\"";
  if (parts.size() != 5) {
    return sigv4_error(reason, expecting);
  }
  const auto &akid = parts[0], date = parts[1], region = parts[2], service = parts[3],
             terminal = parts[4];
  if (akid.empty() || akid.size() > kMaxAccessKeyIdBytes || !printable_ascii(akid)) {
    return sigv4_error(reason, expecting);
  }
  if (date.size() != 8 || !parse_amz_date(std::string(date) + "T000000Z")) {
    return sigv4_error(reason, "the Credential date is not a valid YYYYMMDD date");
  }
  if (region.empty() || region.size() > kMaxRegionBytes || !printable_ascii(region)) {
    return sigv4_error(reason, "the Credential region is empty or not printable ASCII");
  }
  if (service != "s3") {
    return sigv4_error(reason, "incorrect service \"" + std::string(service.substr(0, 64)) +
                                   "\". This endpoint belongs to \"s3\".");
  }
  if (terminal != "aws4_request") {
    return sigv4_error(reason, "incorrect terminal \"" + std::string(terminal.substr(0, 64)) +
                                   "\". This endpoint uses \"aws4_request\".");
  }
  return Sigv4Credential{std::string(akid), std::string(date), std::string(region),
                         std::string(service)};
}

// Parses "host;range;x-amz-date": lowercase tokens, strictly ascending, host among them.
Result<std::vector<std::string>> parse_signed_headers(std::string_view text, const char* reason) {
  std::vector<std::string> names;
  while (true) {
    const std::size_t semi = text.find(';');
    const std::string_view name = text.substr(0, semi);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      return sigv4_error(reason, "SignedHeaders must be lowercase header names separated by ';'");
    }
    if (!names.empty() && names.back() >= name) {
      return sigv4_error(reason, "SignedHeaders must be sorted and without repeats");
    }
    names.emplace_back(name);
    if (semi == std::string_view::npos) {
      break;
    }
    text.remove_prefix(semi + 1);
  }
  if (!std::binary_search(names.begin(), names.end(), std::string("host"))) {
    return sigv4_error(reason, "SignedHeaders must include host");
  }
  return names;
}

Status check_signature_form(std::string_view signature, const char* reason) {
  Sha256Digest bytes{};
  if (!from_hex(signature, bytes)) {
    return sigv4_error(reason, "the Signature must be 64 hex digits");
  }
  return {};
}

Error unsupported_mechanism() {
  return sigv4_error(s3_error::kInvalidRequest,
                     "The authorization mechanism you have provided is not supported. Please use "
                     "AWS4-HMAC-SHA256.");
}

// The Authorization header: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
Status parse_authorization(std::string_view value, Sigv4Auth& auth) {
  const char* malformed = s3_error::kAuthorizationHeaderMalformed;
  const std::size_t space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  if (scheme != kAlgorithm) {
    if (scheme == "AWS" || scheme.starts_with("AWS4-")) {
      return unsupported_mechanism();
    }
    return sigv4_error(s3_error::kInvalidArgument, "Unsupported Authorization Type");
  }
  std::string_view rest = space == std::string_view::npos ? "" : value.substr(space + 1);
  std::optional<std::string_view> credential, signed_headers, signature;
  while (!trim_blanks(rest).empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view component = trim_blanks(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    const std::size_t eq = component.find('=');
    const std::string_view key = component.substr(0, eq);
    std::optional<std::string_view>* slot = key == "Credential"      ? &credential
                                            : key == "SignedHeaders" ? &signed_headers
                                            : key == "Signature"     ? &signature
                                                                     : nullptr;
    if (slot == nullptr || eq == std::string_view::npos) {
      return sigv4_error(malformed, "unexpected component \"" + std::string(key.substr(0, 32)) +
                                        "\" in the Authorization header");
    }
    if (slot->has_value()) {
      return sigv4_error(malformed, "the component " + std::string(key) + " is repeated");
    }
    *slot = component.substr(eq + 1);
  }
  if (!credential || !signed_headers || !signature) {
    return sigv4_error(malformed,
                       "the authorization header requires three components: Credential, "
                       "SignedHeaders, and Signature");
  }
  auto cred = parse_credential(*credential, malformed);
  if (!cred) {
    return std::move(cred).error();
  }
  auth.credential = std::move(*cred);
  auto names = parse_signed_headers(*signed_headers, malformed);
  if (!names) {
    return std::move(names).error();
  }
  auth.signed_headers = std::move(*names);
  if (auto form = check_signature_form(*signature, malformed); !form) {
    return form;
  }
  auth.signature = std::string(*signature);
  return {};
}

// The request time of header auth: x-amz-date, else Date.
Status parse_header_time(const Sigv4Request& request, Sigv4Auth& auth) {
  const auto amz_dates = header_values(request, "x-amz-date");
  if (amz_dates.size() > 1) {
    return sigv4_error(s3_error::kInvalidArgument, "x-amz-date must be given once");
  }
  const Error invalid = sigv4_error(
      s3_error::kAccessDenied, "AWS authentication requires a valid Date or x-amz-date header");
  if (amz_dates.size() == 1) {
    auto time = parse_amz_date(amz_dates[0]);
    if (!time) {
      return invalid;
    }
    auth.amz_date = std::string(amz_dates[0]);
    auth.request_time = *time;
  } else {
    const auto dates = header_values(request, "date");
    auto time = dates.size() == 1 ? parse_imf_date(dates[0]) : std::nullopt;
    if (!time) {
      return invalid;
    }
    auth.amz_date = format_amz_date(*time);
    auth.request_time = *time;
  }
  if (auth.amz_date.substr(0, 8) != auth.credential.date) {
    return sigv4_error(s3_error::kAuthorizationHeaderMalformed,
                       "Invalid credential date. Date is not the same as X-Amz-Date.");
  }
  return {};
}

Status parse_header_payload(const Sigv4Request& request, Sigv4Auth& auth) {
  const auto values = header_values(request, "x-amz-content-sha256");
  if (values.empty()) {
    return sigv4_error(s3_error::kInvalidRequest,
                       "Missing required header for this request: x-amz-content-sha256");
  }
  if (values.size() > 1) {
    return sigv4_error(s3_error::kInvalidArgument, "x-amz-content-sha256 must be given once");
  }
  auto mode = parse_payload_mode(values[0]);
  if (!mode) {
    return std::move(mode).error();
  }
  auth.payload_mode = *mode;
  auth.payload_hash = std::string(values[0]);
  return {};
}

// The X-Amz-* parameters of a presigned URL.
Status parse_presigned(Sigv4Auth& auth) {
  const char* error = s3_error::kAuthorizationQueryParametersError;
  constexpr std::string_view kNames[] = {"X-Amz-Algorithm",     "X-Amz-Credential",
                                         "X-Amz-Date",          "X-Amz-Expires",
                                         "X-Amz-SignedHeaders", "X-Amz-Signature"};
  std::optional<std::string_view> found[6];
  std::optional<std::string_view> content_sha256;
  for (const QueryParam& p : auth.query) {
    for (std::size_t i = 0; i < 6; ++i) {
      if (p.name == kNames[i]) {
        if (found[i]) {
          return sigv4_error(error, "the parameter " + p.name.substr(0, 64) + " is repeated");
        }
        found[i] = p.value;
      }
    }
    if (p.name == "X-Amz-Content-Sha256") {
      content_sha256 = p.value;
    }
  }
  if (!std::all_of(std::begin(found), std::end(found), [](const auto& f) { return f; })) {
    return sigv4_error(error,
                       "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                       "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                       "X-Amz-Expires parameters.");
  }
  if (*found[0] != kAlgorithm) {
    return sigv4_error(error, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  auto cred = parse_credential(*found[1], error);
  if (!cred) {
    return std::move(cred).error();
  }
  auth.credential = std::move(*cred);
  auto time = parse_amz_date(*found[2]);
  if (!time) {
    return sigv4_error(error,
                       "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  auth.amz_date = std::string(*found[2]);
  auth.request_time = *time;
  if (auth.amz_date.substr(0, 8) != auth.credential.date) {
    return sigv4_error(error, "Invalid credential date. Date is not the same as X-Amz-Date.");
  }
  const std::string_view expires = *found[3];
  if (expires.starts_with('-') && expires.size() > 1) {
    return sigv4_error(error, "X-Amz-Expires must be non-negative");
  }
  if (expires.empty() || expires.size() > 9 ||
      !std::all_of(expires.begin(), expires.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return sigv4_error(error, "X-Amz-Expires should be a number");
  }
  auth.expires_seconds = std::stoll(std::string(expires));
  if (auth.expires_seconds > kSigv4MaxPresignedExpiresSeconds) {
    return sigv4_error(error,
                       "X-Amz-Expires must be less than a week (in seconds) that is; the maximum "
                       "expires is 604800 seconds");
  }
  auto names = parse_signed_headers(*found[4], error);
  if (!names) {
    return std::move(names).error();
  }
  auth.signed_headers = std::move(*names);
  if (auto form = check_signature_form(*found[5], error); !form) {
    return form;
  }
  auth.signature = std::string(*found[5]);
  auth.payload_hash = content_sha256 ? std::string(*content_sha256) : "UNSIGNED-PAYLOAD";
  auto mode = parse_payload_mode(auth.payload_hash);
  if (!mode || is_streaming(*mode)) {
    return sigv4_error(error, "X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a SHA-256");
  }
  auth.payload_mode = *mode;
  return {};
}

bool has_param(const std::vector<QueryParam>& query, std::string_view name) {
  return std::any_of(query.begin(), query.end(),
                     [&](const QueryParam& p) { return p.name == name; });
}

}  // namespace

Result<PayloadMode> parse_payload_mode(std::string_view value) {
  if (value == "UNSIGNED-PAYLOAD") {
    return PayloadMode::kUnsigned;
  }
  if (value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") {
    return PayloadMode::kStreamingSigned;
  }
  if (value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
    return PayloadMode::kStreamingSignedTrailer;
  }
  if (value == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
    return PayloadMode::kStreamingUnsignedTrailer;
  }
  Sha256Digest bytes{};
  if (from_hex(value, bytes)) {
    return PayloadMode::kSha256;
  }
  return sigv4_error(s3_error::kInvalidArgument,
                     "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                     "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                     "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
}

Result<std::optional<Sigv4Auth>> parse_sigv4_auth(const Sigv4Request& request) {
  const std::size_t question = request.target.find('?');
  const std::string_view raw_query =
      question == std::string_view::npos ? "" : request.target.substr(question + 1);
  auto query = parse_query(raw_query);
  if (!query) {
    return std::move(query).error();
  }
  const auto authorization = header_values(request, "authorization");
  const bool presigned = has_param(*query, "X-Amz-Algorithm") ||
                         has_param(*query, "X-Amz-Credential") ||
                         has_param(*query, "X-Amz-Signature");
  if (authorization.size() + (presigned ? 1 : 0) > 1) {
    return sigv4_error(s3_error::kInvalidArgument,
                       "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                       "parameter, Signature query string parameter or the Authorization header "
                       "should be specified");
  }
  if (authorization.empty() && !presigned) {
    if (has_param(*query, "AWSAccessKeyId")) {
      return unsupported_mechanism();
    }
    return std::optional<Sigv4Auth>();
  }
  Sigv4Auth auth;
  auth.query = std::move(*query);
  if (presigned) {
    auth.kind = Sigv4AuthKind::kPresigned;
    if (auto status = parse_presigned(auth); !status) {
      return std::move(status).error();
    }
    return std::optional<Sigv4Auth>(std::move(auth));
  }
  auth.kind = Sigv4AuthKind::kHeader;
  if (auto status = parse_authorization(authorization[0], auth); !status) {
    return std::move(status).error();
  }
  if (auto status = parse_header_time(request, auth); !status) {
    return std::move(status).error();
  }
  if (auto status = parse_header_payload(request, auth); !status) {
    return std::move(status).error();
  }
  return std::optional<Sigv4Auth>(std::move(auth));
}

}  // namespace castor
