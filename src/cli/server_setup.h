#pragma once
// What `castor serve` builds from its configuration before it wires the server (main.cpp).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "domain/error.h"
#include "infrastructure/aes_gcm_secret_box.h"
#include "infrastructure/config.h"
#include "infrastructure/jwt_verifier.h"

namespace castor::cli {

// Writes the bound port (and on a second line the metrics listener's) to `path` atomically (write
// a temp file, rename), for scripts and tests that start the server on port 0. False on failure.
bool write_port_file(const std::filesystem::path& path, std::uint16_t port,
                     std::optional<std::uint16_t> metrics_port);

// The JWT verifier the configuration asks for; null when neither JWT_SECRET nor
// JWT_PUBLIC_KEY_FILE is set (bearer tokens other than API keys are then refused).
// InvalidArgument when the key file cannot be read or the settings are bad.
Result<std::unique_ptr<JwtVerifier>> make_jwt_verifier(const Config& config);

// The box sealing S3 secrets; null when S3_MASTER_KEY_FILE is unset (S3 requests then fail).
// AesGcmSecretBox::create's errors for a missing or malformed key file.
Result<std::unique_ptr<AesGcmSecretBox>> make_secret_box(const Config& config);

}  // namespace castor::cli
