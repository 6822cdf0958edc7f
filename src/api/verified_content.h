#pragma once
// Internal to src/api: a verified read (GET /v1/objects/{id}?verify=true, docs/TIERING.md
// "Verified reads"). Includes Beast; never include it from another layer.

#include <cstdint>
#include <memory>
#include <string_view>

#include "api/server_core.h"
#include "application/objects/content_verifier.h"
#include "application/ports/blob_store.h"

namespace castor::api {

// The trailer fields a verified read ends with (declared in its Trailer header, RFC 9110
// section 6.5): the SHA-256 of the bytes sent, and whether it equals the content hash.
inline constexpr std::string_view kContentSha256Trailer = "X-Castor-Content-Sha256";
inline constexpr std::string_view kVerifiedTrailer = "X-Castor-Verified";

// Whether the request asks for a verified read: its query parameter verify is "true" (or "1");
// false when absent, "false" or "0"; 400 for anything else.
Parsed<bool> verify_requested(Exchange& ex);

// A verifier for content of `size` bytes that must hash to `expected`, or the 500 to answer with.
Parsed<std::unique_ptr<ContentVerifier>> make_verifier(ServerCore& s, const ContentHash& expected,
                                                       std::uint64_t size);

// Sends `res` (a 200 with its headers set, no Content-Length) with Transfer-Encoding: chunked and
// a Trailer header, then the whole `content` (`size` bytes) in chunks read on the disk pool, one
// ahead of the network, each fed to `verifier` on the disk thread after its read; then the last
// chunk with the two trailer fields. A mismatch is logged (error level, with the request id) and
// counted in castor_integrity_errors_total; so is content that ends early or cannot be read, and
// then the connection is closed without the last chunk, so the client sees an incomplete body.
Awaitable<void> send_verified(ServerCore& s, Connection& c, Exchange& ex,
                              boost::beast::http::response<boost::beast::http::empty_body>& res,
                              BlobReader& content, std::uint64_t size, ContentVerifier& verifier);

}  // namespace castor::api
