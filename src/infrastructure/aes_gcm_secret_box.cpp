#include "infrastructure/aes_gcm_secret_box.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "domain/hex.h"

namespace castor {
namespace {

// Larger files are refused before they are read: a master key file is 32 or 64(+2) bytes.
constexpr std::size_t kMaxKeyFileBytes = 1024;

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Error key_file_error(const std::filesystem::path& path, std::string_view why) {
  return invalid_argument("S3_MASTER_KEY_FILE " + path.string() + " " + std::string(why));
}

Error does_not_open() {
  return {ErrorCode::kDataLoss,
          "a sealed secret does not open: it was changed, or sealed under another master key "
          "(S3_MASTER_KEY_FILE)"};
}

// Feeds the version byte and `associated_data` to the context as additional authenticated data.
bool add_associated_data(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view associated_data) {
  int len = 0;
  const unsigned char version = AesGcmSecretBox::kVersion;
  auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
  if (update(ctx, nullptr, &len, &version, 1) != 1) {
    return false;
  }
  return associated_data.empty() || update(ctx, nullptr, &len, bytes_of(associated_data),
                                           static_cast<int>(associated_data.size())) == 1;
}

}  // namespace

Result<std::unique_ptr<AesGcmSecretBox>> AesGcmSecretBox::create(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return key_file_error(path,
                          "cannot be read (it must hold 32 random bytes: create it with "
                          "`openssl rand 32 > FILE`)");
  }
  std::string text;
  char buf[kMaxKeyFileBytes + 1];
  in.read(buf, sizeof buf);
  text.assign(buf, static_cast<std::size_t>(in.gcount()));
  const bool truncated = in.gcount() == static_cast<std::streamsize>(sizeof buf);
  OPENSSL_cleanse(buf, sizeof buf);
  std::array<std::uint8_t, kKeyBytes> key{};
  // The newline is stripped only when what is left is a hex key, or the file is one byte over a
  // raw key: a raw key may itself end in 0x0a.
  std::string_view body = text;
  auto strip_newline = [](std::string_view s) {
    if (s.ends_with("\r\n")) {
      s.remove_suffix(2);
    } else if (s.ends_with('\n')) {
      s.remove_suffix(1);
    }
    return s;
  };
  Status status;
  if (!truncated && body.size() == kKeyBytes) {
    std::copy(body.begin(), body.end(), key.begin());
  } else if (!truncated && (body.size() == kKeyBytes + 1 || body.size() == kKeyBytes + 2) &&
             strip_newline(body).size() == kKeyBytes) {
    const std::string_view raw = strip_newline(body);
    std::copy(raw.begin(), raw.end(), key.begin());
  } else if (!truncated && strip_newline(body).size() == 2 * kKeyBytes) {
    if (!from_hex(strip_newline(body), key)) {
      status = key_file_error(path, "has 64 characters that are not all hex digits");
    }
  } else {
    status = key_file_error(path, "has " +
                                      (truncated ? "over " + std::to_string(kMaxKeyFileBytes)
                                                 : std::to_string(body.size())) +
                                      " bytes: it must hold 32 raw bytes or 64 hex digits "
                                      "(`openssl rand 32 > FILE` makes one)");
  }
  OPENSSL_cleanse(text.data(), text.size());
  if (!status) {
    OPENSSL_cleanse(key.data(), key.size());
    return std::move(status).error();
  }
  auto box = std::make_unique<AesGcmSecretBox>(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

AesGcmSecretBox::AesGcmSecretBox(std::span<const std::uint8_t, kKeyBytes> key) {
  std::copy(key.begin(), key.end(), key_.begin());
}

AesGcmSecretBox::~AesGcmSecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string AesGcmSecretBox::seal(std::string_view plaintext, std::string_view associated_data) {
  std::string out(kOverhead + plaintext.size(), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kVersion;
  unsigned char* nonce = p + 1;
  unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char* tag = ciphertext + plaintext.size();
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  const bool ok =
      ctx && RAND_bytes(nonce, static_cast<int>(kNonceBytes)) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes),
                          nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), nonce) == 1 &&
      add_associated_data(ctx.get(), true, associated_data) &&
      (plaintext.empty() || EVP_EncryptUpdate(ctx.get(), ciphertext, &len, bytes_of(plaintext),
                                              static_cast<int>(plaintext.size())) == 1) &&
      EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &final_len) == 1 &&
      static_cast<std::size_t>(len + final_len) == plaintext.size() &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), tag) == 1;
  if (!ok) {
    std::abort();  // AES-GCM from the default provider fails only short of memory
  }
  return out;
}

Result<std::string> AesGcmSecretBox::open(std::string_view sealed,
                                          std::string_view associated_data) {
  if (sealed.size() < kOverhead || static_cast<std::uint8_t>(sealed[0]) != kVersion) {
    return does_not_open();
  }
  const std::size_t size = sealed.size() - kOverhead;
  const unsigned char* nonce = bytes_of(sealed) + 1;
  const unsigned char* ciphertext = nonce + kNonceBytes;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; copy the tag out.
  std::array<unsigned char, kTagBytes> tag{};
  std::copy(ciphertext + size, ciphertext + size + kTagBytes, tag.begin());
  std::string plaintext(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    return internal_error("cannot allocate an OpenSSL cipher context");
  }
  int len = 0;
  int final_len = 0;
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes),
                          nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), nonce) == 1 &&
      add_associated_data(ctx.get(), false, associated_data) &&
      (size == 0 ||
       EVP_DecryptUpdate(ctx.get(), out, &len, ciphertext, static_cast<int>(size)) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + len, &final_len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return does_not_open();
  }
  return plaintext;
}

}  // namespace castor
