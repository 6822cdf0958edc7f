#include "client/api_error.h"

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace castor::client {

Error server_error(const HttpResponse& response, std::string_view what) {
  std::string code;
  std::string message;
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(response.body, ec);
  if (!ec && body.is_object()) {
    if (const auto* error = body.as_object().if_contains("error"); error && error->is_object()) {
      if (const auto* c = error->as_object().if_contains("code"); c && c->is_string()) {
        code = c->as_string().c_str();
      }
      if (const auto* m = error->as_object().if_contains("message"); m && m->is_string()) {
        message = m->as_string().c_str();
      }
    }
  }
  std::string text = std::string(what) + ": HTTP " + std::to_string(response.status);
  if (!code.empty()) {
    text += " " + code;
  }
  if (!message.empty()) {
    text += ": " + message;
  }
  ErrorCode error_code = ErrorCode::kInternal;
  switch (response.status) {
    case 400:
      error_code =
          code == "content_hash_mismatch" ? ErrorCode::kDataLoss : ErrorCode::kFailedPrecondition;
      break;
    case 401:
      error_code = ErrorCode::kUnauthenticated;
      break;
    case 403:
      error_code = ErrorCode::kPermissionDenied;
      break;
    case 404:
      error_code = ErrorCode::kNotFound;
      break;
    case 409:
      error_code = ErrorCode::kAlreadyExists;
      break;
    case 413:
      error_code = ErrorCode::kOutOfRange;
      break;
    case 429:
    case 503:
      error_code = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  return Error{error_code, std::move(text), std::move(code)};
}

}  // namespace castor::client
