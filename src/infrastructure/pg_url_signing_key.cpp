#include "infrastructure/pg_url_signing_key.h"

#include <array>
#include <cstdint>
#include <exception>

#include <pqxx/pqxx>

#include "domain/hex.h"

namespace castor {

Result<std::string> load_url_signing_key(const std::string& database_url, KeyMaterial& random) {
  std::array<std::uint8_t, 32> fresh{};
  random.random_bytes(fresh);
  std::string stored;
  try {
    pqxx::connection conn(database_url);
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO url_signing_keys (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        to_hex(fresh));
    stored = tx.exec("SELECT secret FROM url_signing_keys WHERE id = 1")[0][0].as<std::string>();
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    return Error{ErrorCode::kUnavailable,
                 std::string("cannot load the URL signing key: ") + e.what()};
  } catch (const std::exception& e) {
    return internal_error(std::string("cannot load the URL signing key: ") + e.what());
  }
  std::array<std::uint8_t, 32> key{};
  if (stored.size() != 64 || !from_hex(stored, key)) {
    return internal_error("the stored URL signing key is malformed");
  }
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace castor
