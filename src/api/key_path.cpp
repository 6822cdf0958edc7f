#include "api/key_path.h"

#include <utility>

#include "api/request_params.h"

namespace castor::api {

Result<KeyPath> parse_key_path(std::string_view rest) {
  const auto a = rest.find('/');
  const auto b = a == std::string_view::npos ? a : rest.find('/', a + 1);
  if (b == std::string_view::npos) {
    return invalid_argument("expected /v1/objects/by-key/{namespace}/{tenant}/{key}");
  }
  auto ns = http_params::percent_decode(rest.substr(0, a), false);
  auto tenant = http_params::percent_decode(rest.substr(a + 1, b - a - 1), false);
  auto key = http_params::percent_decode(rest.substr(b + 1), false);
  if (!ns || !tenant || !key) {
    return invalid_argument("malformed percent-escape in path");
  }
  auto n = Namespace::parse(*ns);
  if (!n) {
    return std::move(n).error();
  }
  auto t = TenantId::parse(*tenant);
  if (!t) {
    return std::move(t).error();
  }
  auto k = ObjectKey::parse(*key);
  if (!k) {
    return std::move(k).error();
  }
  return KeyPath{std::move(*n), std::move(*t), std::move(*k)};
}

}  // namespace castor::api
