// libFuzzer target: presigned URLs (docs/PRESIGNED_URLS.md). The input is a request target as a
// client may send it. Taking it apart never fails but by refusing; what it accepts puts back
// together to the same target; a URL signed over any accepted target verifies, as the credential
// that signed it, narrowed to objects:read; and the input itself, never signed, never verifies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "application/presign/presigned_urls.h"
#include "domain/presigned_url.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_key_material.h"
#include "fuzz_check.h"
#include "infrastructure/openssl_hmac.h"

namespace {

using namespace castor;

Principal issuer() {
  return {"key:fuzzkey00001", *TenantId::parse("acme"),
          Scopes{Scope::kObjectsRead, Scope::kObjectsWrite}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const OpensslSigv4Crypto crypto;
  static testing::FakeKeyMaterial compare;
  static testing::FakeClock clock;
  static PresignedUrls urls(std::string(32, '\x42'), crypto, compare, clock,
                            [](const std::string&) -> Result<Principal> { return issuer(); });

  if (auto parsed = parse_presigned_target(text)) {
    std::string again = parsed->path + "?" + parsed->unsigned_query;
    if (!parsed->unsigned_query.empty()) {
      again += "&";
    }
    again += std::string(kPresignSignatureParam) + "=" + parsed->signature_hex;
    CASTOR_FUZZ_CHECK(again == text);
  } else {
    CASTOR_FUZZ_CHECK(parsed.error().code == ErrorCode::kPermissionDenied);
  }
  // Never signed: never verifies (an HMAC cannot be guessed).
  CASTOR_FUZZ_CHECK(!urls.verify(text));

  if (auto url = urls.sign(issuer(), text, std::chrono::seconds(60))) {
    CASTOR_FUZZ_CHECK(url->url.starts_with(text));
    auto p = urls.verify(url->url);
    CASTOR_FUZZ_CHECK(p.has_value());
    CASTOR_FUZZ_CHECK(p->credential == "key:fuzzkey00001");
    CASTOR_FUZZ_CHECK(p->scopes == Scopes{Scope::kObjectsRead});
    // One byte more at the end of the signature: refused.
    CASTOR_FUZZ_CHECK(!urls.verify(url->url + "0"));
  }
  return 0;
}
