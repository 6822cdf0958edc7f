// libFuzzer target: the XML request bodies of the S3 API (src/api/s3/s3_xml_request.h) —
// CompleteMultipartUpload, DeleteObjects and CreateBucketConfiguration — on arbitrary bytes.
// Whatever the body, no parser may crash; an error is always InvalidArgument with one of the
// documented S3 codes; what is accepted keeps the documented shape (parts strictly ascending in
// 1..10,000 with non-empty ETags; 1..1,000 objects). And a document type declaration is always
// refused: the same body with a <!DOCTYPE> (declaring an external entity, as an XXE attack does)
// put before its root, after any XML declaration, is MalformedXML for every parser.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "api/s3/s3_xml_request.h"
#include "fuzz_check.h"

namespace {

using namespace castor;

constexpr std::string_view kDoctype = "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";

// The codes s3_xml_request.h documents.
const std::set<std::string, std::less<>> kCodes = {"MaxMessageLengthExceeded",
                                                   "MalformedXML",
                                                   "InvalidArgument",
                                                   "InvalidPartOrder",
                                                   "InvalidPart",
                                                   "InvalidDigest",
                                                   "NotImplemented"};

template <class T>
bool check_outcome(const Result<T>& r) {
  if (!r) {
    CASTOR_FUZZ_CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CASTOR_FUZZ_CHECK(kCodes.contains(r.error().reason));
    return false;
  }
  return true;
}

// Runs the three parsers on `body`; true if any accepted it.
bool parse_all(std::string_view body) {
  bool accepted = false;
  if (auto parts = parse_complete_multipart_upload(body); check_outcome(parts)) {
    accepted = true;
    CASTOR_FUZZ_CHECK(!parts->empty());
    std::uint32_t previous = 0;
    for (const S3CompletedPart& part : *parts) {
      CASTOR_FUZZ_CHECK(part.part_number > previous && part.part_number <= 10'000);
      CASTOR_FUZZ_CHECK(!part.etag.empty());
      previous = part.part_number;
    }
  }
  if (auto del = parse_delete_objects(body); check_outcome(del)) {
    accepted = true;
    CASTOR_FUZZ_CHECK(!del->objects.empty() && del->objects.size() <= kMaxDeleteObjects);
  }
  if (auto config = parse_create_bucket_configuration(body); check_outcome(config)) {
    accepted = true;
  }
  return accepted;
}

// `body` with kDoctype inserted where a DTD goes: after a leading BOM and XML declaration, if any.
std::string with_doctype(std::string_view body) {
  std::size_t at = 0;
  if (body.starts_with("\xEF\xBB\xBF")) {
    at = 3;
  }
  if (body.substr(at).starts_with("<?xml")) {
    const auto end = body.find("?>", at);
    at = end == std::string_view::npos ? body.size() : end + 2;
  }
  std::string out(body.substr(0, at));
  out += kDoctype;
  out += body.substr(at);
  return out;
}

void check_doctype_refused(const std::string& body) {
  auto parts = parse_complete_multipart_upload(body);
  CASTOR_FUZZ_CHECK(!parts && parts.error().reason == "MalformedXML");
  auto del = parse_delete_objects(body);
  CASTOR_FUZZ_CHECK(!del && del.error().reason == "MalformedXML");
  auto config = parse_create_bucket_configuration(body);
  CASTOR_FUZZ_CHECK(!config && config.error().reason == "MalformedXML");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)parse_all(body);
  // Whatever the body, with a DTD it is refused as MalformedXML (the parsers' size limits, 1 MiB
  // and more, are far above libFuzzer's input sizes, so MaxMessageLengthExceeded never comes
  // first).
  check_doctype_refused(with_doctype(body));
  return 0;
}
