#include "cli/server_setup.h"

#include <fstream>
#include <iterator>
#include <system_error>

namespace castor::cli {

bool write_port_file(const std::filesystem::path& path, std::uint16_t port,
                     std::optional<std::uint16_t> metrics_port) {
  const std::filesystem::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp);
    out << port << "\n";
    if (metrics_port) {
      out << *metrics_port << "\n";
    }
    if (!out) {
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  return !ec;
}

Result<std::unique_ptr<JwtVerifier>> make_jwt_verifier(const Config& config) {
  if (config.jwt_secret.empty() && !config.jwt_public_key_file) {
    return std::unique_ptr<JwtVerifier>();
  }
  JwtSettings settings;
  settings.hs256_secret = config.jwt_secret;
  if (config.jwt_public_key_file) {
    std::ifstream in(*config.jwt_public_key_file);
    if (!in) {
      return invalid_argument("cannot read JWT_PUBLIC_KEY_FILE " +
                              config.jwt_public_key_file->string());
    }
    settings.public_key_pem.assign(std::istreambuf_iterator<char>(in), {});
  }
  settings.issuer = config.jwt_issuer;
  settings.audience = config.jwt_audience;
  settings.leeway = config.jwt_leeway;
  return JwtVerifier::create(std::move(settings));
}

Result<std::unique_ptr<AesGcmSecretBox>> make_secret_box(const Config& config) {
  if (!config.s3_master_key_file) {
    return std::unique_ptr<AesGcmSecretBox>();
  }
  return AesGcmSecretBox::create(*config.s3_master_key_file);
}

}  // namespace castor::cli
