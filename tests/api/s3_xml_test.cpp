#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <pugixml.hpp>

#include "api/s3/s3_encoding.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml_listing.h"
#include "api/s3/s3_xml_request.h"
#include "api/s3/s3_xml_response.h"
#include "domain/utf8.h"
#include "support/temp_dir.h"

namespace castor {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

constexpr std::string_view kNs = "http://s3.amazonaws.com/doc/2006-03-01/";

// The S3 code of a failed parse (and that it is one castor can answer).
template <class T>
std::string code_of(const Result<T>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(find_s3_error(r.error().reason) != nullptr);
  return r.error().reason;
}

std::string complete_body(std::string_view parts, std::string_view root_attributes = "") {
  return "<CompleteMultipartUpload" + std::string(root_attributes) + ">" + std::string(parts) +
         "</CompleteMultipartUpload>";
}

std::string part(std::string_view number, std::string_view etag = "\"e\"") {
  return "<Part><PartNumber>" + std::string(number) + "</PartNumber><ETag>" + std::string(etag) +
         "</ETag></Part>";
}

std::string delete_body(std::string_view objects) {
  return "<Delete>" + std::string(objects) + "</Delete>";
}

std::string object(std::string_view key) {
  return "<Object><Key>" + std::string(key) + "</Key></Object>";
}

// Whether `xml` is well-formed XML 1.0 as far as characters go (what pugixml does not check):
// valid UTF-8, only characters XML allows, character references only to those, no entity but the
// five predefined ones. Then pugixml must parse it.
void require_strict_xml(const std::string& xml, pugi::xml_document& doc) {
  INFO(xml);
  REQUIRE(is_valid_utf8(xml));
  for (std::string_view rest = xml; !rest.empty();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(rest, cp);
    REQUIRE(len > 0);
    REQUIRE((cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
             (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000));
    rest.remove_prefix(len);
  }
  for (std::size_t at = xml.find('&'); at != std::string::npos; at = xml.find('&', at + 1)) {
    const std::string_view ref = std::string_view(xml).substr(at, xml.find(';', at) - at + 1);
    if (ref.starts_with("&#")) {
      REQUIRE((ref == "&#9;" || ref == "&#10;" || ref == "&#13;"));
    } else {
      REQUIRE(
          (ref == "&amp;" || ref == "&lt;" || ref == "&gt;" || ref == "&quot;" || ref == "&apos;"));
    }
  }
  REQUIRE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
  const pugi::xml_parse_result parsed = doc.load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  REQUIRE(parsed);
}

pugi::xml_node parsed_root(const std::string& xml, pugi::xml_document& doc, std::string_view name,
                           bool with_namespace = true) {
  require_strict_xml(xml, doc);
  const pugi::xml_node root = doc.document_element();
  REQUIRE(std::string_view(root.name()) == name);
  if (with_namespace) {
    CHECK(std::string_view(root.attribute("xmlns").value()) == kNs);
  } else {
    CHECK_FALSE(root.attribute("xmlns"));
  }
  return root;
}

std::string text(const pugi::xml_node& node, const char* child) {
  REQUIRE(node.child(child));
  return node.child(child).text().get();
}

std::vector<std::string> texts(const pugi::xml_node& node, const char* child,
                               const char* leaf = nullptr) {
  std::vector<std::string> out;
  for (const pugi::xml_node& c : node.children(child)) {
    out.emplace_back(leaf == nullptr ? c.text().get() : c.child(leaf).text().get());
  }
  return out;
}

// Inverse of s3_url_encode (unquote_plus), to check round trips.
std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Keys that stress the writer: the five XML specials, UTF-8, blanks, a key of blanks only.
const std::vector<std::string> kTrickyKeys = {
    "a&b<c>d\"e'f", "]]>", "日本語/ключ/🎉", "tab\there", "  ", "lf\nand\rcr\r\n", "&amp;",
};

const Timestamp kTime{seconds(1255369830) + microseconds(123987)};  // 2009-10-12T17:50:30.123987Z

}  // namespace

// ---------------------------------------------------------------------------------------------
// CompleteMultipartUpload

TEST_CASE("CompleteMultipartUpload: parts, ETags and checksums", "[unit]") {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <Part>\n    <ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>\n"
      "    <PartNumber>1</PartNumber>\n  </Part>\n"
      "  <Part><PartNumber> 2 </PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;"
      "</ETag><ChecksumCRC32>i9aeUg==</ChecksumCRC32><ChecksumCRC64NVME>OOJZ0D8xKts="
      "</ChecksumCRC64NVME></Part>\n"
      "  <Part><PartNumber>10000</PartNumber><ETag>acbd18db4cc2f85cedef654fccc4a4d8-3</ETag>"
      "<ChecksumSHA256>ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=</ChecksumSHA256>"
      "<ChecksumSHA1>e1AsOh9IyGCa4hLN+2Od7jlnP14=</ChecksumSHA1>"
      "<ChecksumCRC32C> crUfeA== </ChecksumCRC32C></Part>\n"
      "</CompleteMultipartUpload>\n";
  auto parts = parse_complete_multipart_upload(body);
  REQUIRE(parts);
  REQUIRE(parts->size() == 3);
  CHECK((*parts)[0].part_number == 1);
  CHECK((*parts)[0].etag == "a54357aff0632cce46d942af68356b38");
  CHECK_FALSE((*parts)[0].checksums.crc32);
  CHECK((*parts)[1].part_number == 2);
  CHECK((*parts)[1].etag == "0c78aef83f66abc1fa1e8477f296d394");
  CHECK((*parts)[1].checksums.crc32 == "i9aeUg==");
  CHECK((*parts)[1].checksums.crc64nvme == "OOJZ0D8xKts=");
  CHECK((*parts)[2].part_number == 10000);
  CHECK((*parts)[2].etag == "acbd18db4cc2f85cedef654fccc4a4d8-3");
  CHECK((*parts)[2].checksums.sha256 == "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=");
  CHECK((*parts)[2].checksums.sha1 == "e1AsOh9IyGCa4hLN+2Od7jlnP14=");
  CHECK((*parts)[2].checksums.crc32c == "crUfeA==");

  // No namespace, a BOM, comments, a CDATA ETag, namespace declarations that are not used.
  auto plain = parse_complete_multipart_upload(
      "\xEF\xBB\xBF<!-- c --><CompleteMultipartUpload xmlns:xsi=\"x\"><?pi x?><Part>"
      "<PartNumber>7</PartNumber><ETag><![CDATA[\"ab<c\"]]></ETag></Part><!-- d -->"
      "</CompleteMultipartUpload><!-- e -->");
  REQUIRE(plain);
  REQUIRE(plain->size() == 1);
  CHECK((*plain)[0].part_number == 7);
  CHECK((*plain)[0].etag == "ab<c");
}

TEST_CASE("CompleteMultipartUpload refuses every malformed body", "[unit]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "MalformedXML"},
      {"   ", "MalformedXML"},
      {"not xml", "MalformedXML"},
      {"<CompleteMultipartUpload>", "MalformedXML"},
      {complete_body(part("1")).substr(0, 40), "MalformedXML"},
      {"<CompleteMultipartUpload><Part></CompleteMultipartUpload>", "MalformedXML"},
      {complete_body(""), "MalformedXML"},
      {"<CompleteMultipartUpload/>", "MalformedXML"},
      {"<Complete>" + part("1") + "</Complete>", "MalformedXML"},
      {"<completemultipartupload>" + part("1") + "</completemultipartupload>", "MalformedXML"},
      {complete_body(part("1")) + complete_body(part("2")), "MalformedXML"},
      {complete_body(part("1")) + "trailing", "MalformedXML"},
      {"leading" + complete_body(part("1")), "MalformedXML"},
      {complete_body("text" + part("1")), "MalformedXML"},
      {complete_body(part("1") + "<Unknown/>"), "MalformedXML"},
      {complete_body("<Part><PartNumber>1</PartNumber></Part>"), "MalformedXML"},
      {complete_body("<Part><ETag>e</ETag></Part>"), "MalformedXML"},
      {complete_body("<Part><PartNumber>1</PartNumber><PartNumber>1</PartNumber><ETag>e</ETag>"
                     "</Part>"),
       "MalformedXML"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e</ETag><ETag>e</ETag></Part>"),
       "MalformedXML"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>3</Size></Part>"),
       "MalformedXML"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e<b/></ETag></Part>"), "MalformedXML"},
      {complete_body("<Part x=\"1\"><PartNumber>1</PartNumber><ETag>e</ETag></Part>"),
       "MalformedXML"},
      {complete_body(part("1"), " xmlns=\"http://example.com/\""), "MalformedXML"},
      {complete_body(part("1"), " xmlns=\"\""), "MalformedXML"},
      {"<s3:CompleteMultipartUpload xmlns:s3=\"" + std::string(kNs) + "\">" + part("1") +
           "</s3:CompleteMultipartUpload>",
       "MalformedXML"},
      {"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + complete_body(part("1")),
       "MalformedXML"},
      {"<?xml version=\"1.1\"?>" + complete_body(part("1")), "MalformedXML"},
      {" <?xml version=\"1.0\"?>" + complete_body(part("1")), "MalformedXML"},
      {complete_body(part("1")) + "<?xml version=\"1.0\"?>", "MalformedXML"},
      // Part numbers that are not decimal numbers, or out of range.
      {complete_body(part("abc")), "MalformedXML"},
      {complete_body(part("")), "MalformedXML"},
      {complete_body(part(" ")), "MalformedXML"},
      {complete_body(part("1.5")), "MalformedXML"},
      {complete_body(part("-1")), "MalformedXML"},
      {complete_body(part("+1")), "MalformedXML"},
      {complete_body(part("0x1")), "MalformedXML"},
      {complete_body(part("1 2")), "MalformedXML"},
      {complete_body(part("99999999999")), "MalformedXML"},
      {complete_body(part("&#49;&#x32;a")), "MalformedXML"},
      {complete_body(part("0")), "InvalidArgument"},
      {complete_body(part("10001")), "InvalidArgument"},
      {complete_body(part("000000000")), "InvalidArgument"},
      // Order.
      {complete_body(part("2") + part("1")), "InvalidPartOrder"},
      {complete_body(part("1") + part("1")), "InvalidPartOrder"},
      {complete_body(part("1") + part("3") + part("2")), "InvalidPartOrder"},
      // ETags and checksums.
      {complete_body(part("1", "")), "InvalidPart"},
      {complete_body(part("1", "\"\"")), "InvalidPart"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumCRC32>abc"
                     "</ChecksumCRC32></Part>"),
       "InvalidDigest"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumCRC32>"
                     "OOJZ0D8xKts=</ChecksumCRC32></Part>"),
       "InvalidDigest"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumSHA256>"
                     "i9aeUg==</ChecksumSHA256></Part>"),
       "InvalidDigest"},
      {complete_body("<Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumCRC32>i9aeUg=="
                     "</ChecksumCRC32><ChecksumCRC32>i9aeUg==</ChecksumCRC32></Part>"),
       "MalformedXML"},
  };
  for (const auto& [body, code] : cases) {
    INFO(body);
    CHECK(code_of(parse_complete_multipart_upload(body)) == code);
  }
}

TEST_CASE("CompleteMultipartUpload: bounds", "[unit]") {
  std::string all;
  for (int n = 1; n <= 10000; ++n) {
    all += part(std::to_string(n), "\"0123456789abcdef0123456789abcdef\"");
  }
  auto parts = parse_complete_multipart_upload(complete_body(all));
  REQUIRE(parts);
  CHECK(parts->size() == 10000);
  CHECK(parts->back().part_number == 10000);

  CHECK(code_of(parse_complete_multipart_upload(complete_body(all + part("10001")))) ==
        "MalformedXML");  // the 10,001st part, before its number is even read
  const std::string padded =
      complete_body(part("1") + std::string(kMaxCompleteMultipartUploadBody, ' '));
  CHECK(code_of(parse_complete_multipart_upload(padded)) == "MaxMessageLengthExceeded");
  CHECK(parse_complete_multipart_upload(
      complete_body(part("1") + std::string(kMaxCompleteMultipartUploadBody - 200, ' '))));

  // Deep nesting inside the limit: refused, without recursion trouble.
  std::string deep;
  for (int i = 0; i < 200000; ++i) {
    deep += "<a>";
  }
  for (int i = 0; i < 200000; ++i) {
    deep += "</a>";
  }
  CHECK(code_of(parse_complete_multipart_upload(complete_body("<Part>" + deep + "</Part>"))) ==
        "MalformedXML");
}

// ---------------------------------------------------------------------------------------------
// DOCTYPE, entities and characters (any parser: they share the same checks)

TEST_CASE("XXE: an external entity is refused without reading its file", "[unit]") {
  // The entity points to a FIFO that already holds a marker: a parser that opened and read it
  // would consume the marker (or hang on it), so finding the marker intact afterwards proves the
  // file was never read.
  const testing::TempDir dir("castor-xxe");
  const std::string fifo = (dir.path() / "secret").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  REQUIRE(fd >= 0);
  const std::string marker = "castor-xxe-marker";
  REQUIRE(::write(fd, marker.data(), marker.size()) == static_cast<ssize_t>(marker.size()));

  const std::vector<std::string> bodies = {
      // external general entity
      "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY xxe SYSTEM \"file://" + fifo +
          "\">]><Delete><Object><Key>&xxe;</Key></Object></Delete>",
      // external parameter entity
      "<!DOCTYPE Delete [<!ENTITY % p SYSTEM \"file://" + fifo +
          "\"> %p;]><Delete><Object><Key>k</Key></Object></Delete>",
      // an external DTD
      "<!DOCTYPE Delete SYSTEM \"file://" + fifo +
          "\"><Delete><Object><Key>k</Key></Object></Delete>",
      "<!DOCTYPE Delete PUBLIC \"-//x//y\" \"" + fifo +
          "\"><Delete><Object><Key>k</Key></Object></Delete>",
      // lowercase, after a comment, inside the root
      "<!-- x --><!doctype Delete SYSTEM \"" + fifo +
          "\"><Delete><Object><Key>k</Key></Object></Delete>",
      "<Delete><!DOCTYPE x SYSTEM \"" + fifo + "\"><Object><Key>k</Key></Object></Delete>",
      // an entity declared without a DOCTYPE around it, and a reference with none declared
      "<!ENTITY xxe SYSTEM \"" + fifo + "\"><Delete><Object><Key>&xxe;</Key></Object></Delete>",
      "<Delete><Object><Key>&xxe;</Key></Object></Delete>",
  };
  for (const std::string& body : bodies) {
    INFO(body);
    CHECK(code_of(parse_delete_objects(body)) == "MalformedXML");
    CHECK(code_of(parse_complete_multipart_upload(body)) == "MalformedXML");
    CHECK(code_of(parse_create_bucket_configuration(body)) == "MalformedXML");
  }
  char buffer[64];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  CHECK(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0) == marker);
}

TEST_CASE("XXE: billion laughs and internal entities are refused at once", "[unit]") {
  std::string laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  std::string previous = "lol";
  for (int i = 1; i <= 9; ++i) {
    const std::string name = "lol" + std::to_string(i);
    laughs += "<!ENTITY " + name + " \"";
    for (int k = 0; k < 10; ++k) {
      laughs += "&" + previous + ";";
    }
    laughs += "\">";
    previous = name;
  }
  laughs += "]><Delete><Object><Key>&lol9;</Key></Object></Delete>";
  CHECK(code_of(parse_delete_objects(laughs)) == "MalformedXML");
  CHECK(code_of(parse_delete_objects(
            "<!DOCTYPE Delete [<!ENTITY k \"key\">]><Delete><Object><Key>&k;</Key></Object>"
            "</Delete>")) == "MalformedXML");
  // A quadratic blow-up without any DTD: a long reference is just refused.
  CHECK(code_of(parse_delete_objects(delete_body(object("&" + std::string(1000, 'a') + ";")))) ==
        "MalformedXML");
}

TEST_CASE("characters and references XML 1.0 does not allow are refused", "[unit]") {
  for (const std::string& key : std::vector<std::string>{"a&#0;b",
                                                         "a&#x0;b",
                                                         "a&#1;b",
                                                         "a&#x1F;b",
                                                         "&#xD800;",
                                                         "&#xDFFF;",
                                                         "&#xFFFE;",
                                                         "&#xFFFF;",
                                                         "&#x110000;",
                                                         "&#99999999999;",
                                                         "&#;",
                                                         "&#x;",
                                                         "&#12a;",
                                                         "&#x1G;",
                                                         "&#65",
                                                         "&amp",
                                                         "&AMP;",
                                                         "&nbsp;",
                                                         "a & b",
                                                         std::string("a\x01b"),
                                                         std::string("a\0b", 3),
                                                         std::string("a\x1F"),
                                                         "\xFF",
                                                         "\xC3\x28",
                                                         "\xED\xA0\x80",
                                                         "\xEF\xBF\xBE",
                                                         "<![CDATA[x",
                                                         "<!-- x",
                                                         "<?pi x"}) {
    INFO(key);
    CHECK(code_of(parse_delete_objects(delete_body(object(key)))) == "MalformedXML");
  }
  // Allowed: the predefined entities and references to allowed characters, also in CDATA and
  // comments where a reference is only text.
  auto ok = parse_delete_objects(
      delete_body(object("&#65;&#x42;&#x1F600;&#9;&#10;&#13;&lt;&gt;&amp;&quot;&apos;") +
                  object("<![CDATA[&#0;&bogus;<!DOCTYPE]]>") + "<!-- &#0; &x; <!DOCTYPE -->"));
  REQUIRE(ok);
  REQUIRE(ok->objects.size() == 2);
  CHECK(ok->objects[0].key == "AB\xF0\x9F\x98\x80\t\n\r<>&\"'");
  CHECK(ok->objects[1].key == "&#0;&bogus;<!DOCTYPE");
}

// ---------------------------------------------------------------------------------------------
// DeleteObjects

TEST_CASE("DeleteObjects: keys exactly as sent, Quiet, VersionId and ETag", "[unit]") {
  auto r = parse_delete_objects(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
      "<Object><Key>a&amp;b&lt;c&gt;d&quot;e&apos;f</Key></Object>"
      "<Object><Key>日本語/ключ</Key><VersionId>null</VersionId></Object>"
      "<Object><Key>  </Key></Object>"
      "<Object><Key> lead and trail </Key><ETag>\"abc\"</ETag></Object>"
      "<Object><Key>cr&#13;lf&#10;tab&#9;</Key></Object>"
      "<Object><Key>raw\r\nnewline</Key></Object>"
      "<Object><Key><![CDATA[<x>&y]]>z</Key></Object>"
      "<Object><Key></Key></Object>"
      "</Delete>");
  REQUIRE(r);
  CHECK(r->quiet);
  REQUIRE(r->objects.size() == 8);
  CHECK(r->objects[0].key == "a&b<c>d\"e'f");
  CHECK_FALSE(r->objects[0].version_id);
  CHECK(r->objects[1].key == "日本語/ключ");
  CHECK(r->objects[1].version_id == "null");
  CHECK(r->objects[2].key == "  ");
  CHECK(r->objects[3].key == " lead and trail ");
  CHECK(r->objects[3].etag == "abc");
  CHECK(r->objects[4].key == "cr\rlf\ntab\t");
  CHECK(r->objects[5].key == "raw\nnewline");  // XML end-of-line handling: a raw CRLF is a LF
  CHECK(r->objects[6].key == "<x>&yz");
  CHECK(r->objects[7].key.empty());  // left to the caller's ObjectKey check, per key

  for (const auto& [quiet, expected] : std::vector<std::pair<std::string, bool>>{
           {"true", true}, {"false", false}, {" true\n", true}, {"1", true}, {"0", false}}) {
    auto q = parse_delete_objects(delete_body("<Quiet>" + quiet + "</Quiet>" + object("k")));
    REQUIRE(q);
    CHECK(q->quiet == expected);
  }
  auto loud = parse_delete_objects(delete_body(object("k") + "<Quiet>true</Quiet>"));
  REQUIRE(loud);
  CHECK(loud->quiet);
  auto default_quiet = parse_delete_objects(delete_body(object("k")));
  REQUIRE(default_quiet);
  CHECK_FALSE(default_quiet->quiet);
}

TEST_CASE("DeleteObjects refuses every malformed body", "[unit]") {
  std::string thousand;
  for (int i = 0; i < 1000; ++i) {
    thousand += object("key-" + std::to_string(i));
  }
  auto full = parse_delete_objects(delete_body(thousand));
  REQUIRE(full);
  CHECK(full->objects.size() == 1000);
  CHECK(full->objects[999].key == "key-999");

  // 1,000 keys of 1,024 bytes fit.
  std::string longest;
  for (int i = 0; i < 1000; ++i) {
    longest += object(std::string(1020, 'k') + std::to_string(1000 + i));
  }
  REQUIRE(longest.size() > (1u << 20));
  CHECK(parse_delete_objects(delete_body(longest)));

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "MalformedXML"},
      {delete_body(""), "MalformedXML"},
      {delete_body("<Quiet>true</Quiet>"), "MalformedXML"},
      {delete_body(thousand + object("one-too-many")), "MalformedXML"},
      {delete_body("<Object></Object>"), "MalformedXML"},
      {delete_body("<Object><VersionId>v</VersionId></Object>"), "MalformedXML"},
      {delete_body("<Object><Key>a</Key><Key>b</Key></Object>"), "MalformedXML"},
      {delete_body("<Object><Key>a</Key><VersionId>1</VersionId><VersionId>2</VersionId>"
                   "</Object>"),
       "MalformedXML"},
      {delete_body("<Object><Key>a<i/></Key></Object>"), "MalformedXML"},
      {delete_body("<Object>k<Key>a</Key></Object>"), "MalformedXML"},
      {delete_body("<Object><Key>a</Key><Extra/></Object>"), "MalformedXML"},
      {delete_body("<Quiet>yes</Quiet>" + object("k")), "MalformedXML"},
      {delete_body("<Quiet>TRUE</Quiet>" + object("k")), "MalformedXML"},
      {delete_body("<Quiet></Quiet>" + object("k")), "MalformedXML"},
      {delete_body("<Quiet>true</Quiet><Quiet>true</Quiet>" + object("k")), "MalformedXML"},
      {delete_body("<Objects>" + object("k") + "</Objects>"), "MalformedXML"},
      {"<DeleteObjects>" + object("k") + "</DeleteObjects>", "MalformedXML"},
      {"<Delete>" + object("k"), "MalformedXML"},
      {"<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01\">" + object("k") + "</Delete>",
       "MalformedXML"},
      {"<Delete lang=\"en\">" + object("k") + "</Delete>", "MalformedXML"},
      {delete_body("<Object><Key>k</Key><LastModifiedTime>2024-01-01T00:00:00Z"
                   "</LastModifiedTime></Object>"),
       "NotImplemented"},
      {delete_body("<Object><Key>k</Key><Size>3</Size></Object>"), "NotImplemented"},
      {delete_body(std::string(kMaxDeleteObjectsBody, ' ') + object("k")),
       "MaxMessageLengthExceeded"},
  };
  for (const auto& [body, code] : cases) {
    INFO(body.substr(0, 300));
    CHECK(code_of(parse_delete_objects(body)) == code);
  }
}

// ---------------------------------------------------------------------------------------------
// CreateBucketConfiguration

TEST_CASE("CreateBucketConfiguration", "[unit]") {
  auto none = parse_create_bucket_configuration("");
  REQUIRE(none);
  CHECK_FALSE(none->location_constraint);
  auto blank = parse_create_bucket_configuration(" \r\n\t");
  REQUIRE(blank);
  CHECK_FALSE(blank->location_constraint);

  auto region = parse_create_bucket_configuration(
      "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <LocationConstraint> eu-west-1 </LocationConstraint>\n</CreateBucketConfiguration>");
  REQUIRE(region);
  CHECK(region->location_constraint == "eu-west-1");
  auto empty = parse_create_bucket_configuration(
      "<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>");
  REQUIRE(empty);
  CHECK(empty->location_constraint == "");
  auto bare = parse_create_bucket_configuration("<CreateBucketConfiguration/>");
  REQUIRE(bare);
  CHECK_FALSE(bare->location_constraint);

  for (const std::string& body : std::vector<std::string>{
           "<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint>"
           "<LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>",
           "<CreateBucketConfiguration><Location><Name>x</Name></Location>"
           "</CreateBucketConfiguration>",
           "<CreateBucketConfiguration>us-east-1</CreateBucketConfiguration>",
           "<LocationConstraint>us-east-1</LocationConstraint>",
           "<CreateBucketConfiguration><LocationConstraint>a<b/></LocationConstraint>"
           "</CreateBucketConfiguration>",
           "<CreateBucketConfiguration>",
           "<!DOCTYPE x><CreateBucketConfiguration/>",
       }) {
    INFO(body);
    CHECK(code_of(parse_create_bucket_configuration(body)) == "MalformedXML");
  }
  CHECK(code_of(parse_create_bucket_configuration(
            "<CreateBucketConfiguration>" + std::string(kMaxCreateBucketConfigurationBody, ' ') +
            "</CreateBucketConfiguration>")) == "MaxMessageLengthExceeded");
}

// ---------------------------------------------------------------------------------------------
// Encodings

TEST_CASE("s3_url_encode, s3_timestamp and quoted_etag", "[unit]") {
  CHECK(s3_url_encode("") == "");
  CHECK(s3_url_encode("AZaz09-_./*") == "AZaz09-_./*");
  CHECK(s3_url_encode("a b+c~d%e&f=g?h#i") == "a+b%2Bc%7Ed%25e%26f%3Dg%3Fh%23i");
  CHECK(s3_url_encode("日") == "%E6%97%A5");
  CHECK(s3_url_encode(std::string("\x01\x7F\n\0", 4)) == "%01%7F%0A%00");
  for (const std::string& key : kTrickyKeys) {
    CHECK(url_decode(s3_url_encode(key)) == key);
  }

  CHECK(s3_timestamp(kTime) == "2009-10-12T17:50:30.123Z");
  CHECK(s3_timestamp(Timestamp{}) == "1970-01-01T00:00:00.000Z");
  CHECK(s3_timestamp(Timestamp{microseconds(-1)}) == "1969-12-31T23:59:59.999Z");
  CHECK(s3_timestamp(Timestamp{seconds(951825600) + microseconds(999)}) ==
        "2000-02-29T12:00:00.000Z");
  CHECK(s3_timestamp(Timestamp{seconds(253402300799) + microseconds(999999)}) ==
        "9999-12-31T23:59:59.999Z");

  CHECK(quoted_etag("abc") == "\"abc\"");
  CHECK(quoted_etag("\"abc\"") == "\"abc\"");
  CHECK(quoted_etag("") == "\"\"");
}

// ---------------------------------------------------------------------------------------------
// Response documents

TEST_CASE("Error documents", "[unit]") {
  CHECK(s3_error_xml("NoSuchKey", "The resource you requested does not exist",
                     "/mybucket/myfoto.jpg", "4442587FB7D0A2F9") ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The "
        "resource you requested does not exist</Message><Resource>/mybucket/myfoto.jpg</Resource>"
        "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  pugi::xml_document doc;
  const std::string xml = s3_error_xml("MalformedXML", "bad <xml> & \"stuff\"", "", "r\x01");
  const pugi::xml_node root = parsed_root(xml, doc, "Error", false);
  CHECK(text(root, "Code") == "MalformedXML");
  CHECK(text(root, "Message") == "bad <xml> & \"stuff\"");
  CHECK(text(root, "Resource").empty());
  CHECK(text(root, "RequestId") == "r\xEF\xBF\xBD");
}

TEST_CASE("control characters and invalid UTF-8 never make invalid XML", "[unit]") {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) {
    every_byte += static_cast<char>(b);
  }
  pugi::xml_document doc;
  const std::string xml =
      s3_error_xml(every_byte, "\xEF\xBF\xBE\xEF\xBF\xBF", "\xED\xA0\x80", "\xF4\x90\x80\x80");
  const pugi::xml_node root = parsed_root(xml, doc, "Error", false);
  // C0 controls but TAB, LF and CR become U+FFFD; those three and DEL survive; each byte that is
  // not valid UTF-8 (0x80..0xFF alone) becomes U+FFFD.
  std::string expected;
  for (int b = 0; b < 0x80; ++b) {
    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
      expected += "\xEF\xBF\xBD";
    } else {
      expected += static_cast<char>(b);
    }
  }
  for (int b = 0x80; b < 0x100; ++b) {
    expected += "\xEF\xBF\xBD";
  }
  CHECK(text(root, "Code") == expected);
  CHECK(text(root, "Message") == "\xEF\xBF\xBD\xEF\xBF\xBD");               // U+FFFE, U+FFFF
  CHECK(text(root, "Resource") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(text(root, "RequestId") ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // past U+10FFFF
}

TEST_CASE("ListObjects v1 round-trips through pugixml", "[unit]") {
  S3ObjectListing listing;
  listing.bucket = "bucket";
  listing.prefix = "p&";
  listing.delimiter = "/";
  listing.max_keys = 2;
  listing.is_truncated = true;
  for (const std::string& key : kTrickyKeys) {
    listing.contents.push_back({.key = key,
                                .last_modified = kTime,
                                .etag = "9b2cf535f27731c974343645a3985328",
                                .size = 434234,
                                .owner = S3Owner{"owner-id", "owner&name"}});
  }
  listing.common_prefixes = {"photos/", "a<b>/"};

  pugi::xml_document doc;
  const pugi::xml_node root =
      parsed_root(s3_list_objects_v1_xml(listing, "m<", std::optional<std::string>("n>")), doc,
                  "ListBucketResult");
  CHECK(text(root, "Name") == "bucket");
  CHECK(text(root, "Prefix") == "p&");
  CHECK(text(root, "Marker") == "m<");
  CHECK(text(root, "NextMarker") == "n>");
  CHECK(text(root, "MaxKeys") == "2");
  CHECK(text(root, "Delimiter") == "/");
  CHECK(text(root, "IsTruncated") == "true");
  CHECK_FALSE(root.child("EncodingType"));
  CHECK_FALSE(root.child("KeyCount"));
  CHECK(texts(root, "Contents", "Key") == kTrickyKeys);
  const pugi::xml_node first = root.child("Contents");
  CHECK(text(first, "LastModified") == "2009-10-12T17:50:30.123Z");
  CHECK(text(first, "ETag") == "\"9b2cf535f27731c974343645a3985328\"");
  CHECK(text(first, "Size") == "434234");
  CHECK(text(first, "StorageClass") == "STANDARD");
  CHECK(text(first.child("Owner"), "ID") == "owner-id");
  CHECK(text(first.child("Owner"), "DisplayName") == "owner&name");
  CHECK(texts(root, "CommonPrefixes", "Prefix") == std::vector<std::string>{"photos/", "a<b>/"});

  // Without delimiter, next marker or owners, and empty.
  S3ObjectListing empty;
  empty.bucket = "b";
  pugi::xml_document doc2;
  const pugi::xml_node root2 =
      parsed_root(s3_list_objects_v1_xml(empty, "", std::nullopt), doc2, "ListBucketResult");
  CHECK(text(root2, "Prefix").empty());
  CHECK(text(root2, "Marker").empty());
  CHECK(text(root2, "IsTruncated") == "false");
  CHECK(text(root2, "MaxKeys") == "1000");
  CHECK_FALSE(root2.child("NextMarker"));
  CHECK_FALSE(root2.child("Delimiter"));
  CHECK_FALSE(root2.child("Contents"));
}

TEST_CASE("EncodingType=url encodes the fields S3 encodes", "[unit]") {
  const std::vector<std::string> keys = {"a b+c", "日本", std::string("ctl\x01\x1F"), "t\tn\n"};
  S3ObjectListing listing;
  listing.bucket = "my bucket";  // never encoded (bucket names cannot need it anyway)
  listing.prefix = "p q";
  listing.delimiter = "~";
  listing.url_encoding = true;
  for (const std::string& key : keys) {
    listing.contents.push_back(
        {.key = key, .last_modified = kTime, .etag = "e", .size = 1, .owner = std::nullopt});
  }
  listing.common_prefixes = {"x y~"};

  pugi::xml_document v1;
  const pugi::xml_node r1 =
      parsed_root(s3_list_objects_v1_xml(listing, "m&n", std::optional<std::string>("ü")), v1,
                  "ListBucketResult");
  CHECK(text(r1, "EncodingType") == "url");
  CHECK(text(r1, "Name") == "my bucket");
  CHECK(text(r1, "Prefix") == "p+q");
  CHECK(text(r1, "Delimiter") == "%7E");
  CHECK(text(r1, "Marker") == "m%26n");
  CHECK(text(r1, "NextMarker") == "%C3%BC");
  CHECK(texts(r1, "Contents", "Key") ==
        std::vector<std::string>{"a+b%2Bc", "%E6%97%A5%E6%9C%AC", "ctl%01%1F", "t%09n%0A"});
  CHECK(texts(r1, "CommonPrefixes", "Prefix") == std::vector<std::string>{"x+y%7E"});
  std::vector<std::string> decoded;
  for (const std::string& k : texts(r1, "Contents", "Key")) {
    decoded.push_back(url_decode(k));
  }
  CHECK(decoded == keys);  // exact, control characters included

  pugi::xml_document v2;
  const pugi::xml_node r2 =
      parsed_root(s3_list_objects_v2_xml(listing, {.continuation_token = "tok+/=",
                                                   .next_continuation_token = "next",
                                                   .start_after = "s a"}),
                  v2, "ListBucketResult");
  CHECK(text(r2, "EncodingType") == "url");
  CHECK(text(r2, "StartAfter") == "s+a");
  CHECK(text(r2, "ContinuationToken") == "tok+/=");  // opaque: as given
  CHECK(text(r2, "Prefix") == "p+q");
  CHECK(texts(r2, "Contents", "Key")[0] == "a+b%2Bc");

  pugi::xml_document versions;
  const pugi::xml_node r3 =
      parsed_root(s3_list_versions_xml(listing, {.key_marker = "k m",
                                                 .version_id_marker = "",
                                                 .next_key_marker = "n k",
                                                 .next_version_id_marker = "null"}),
                  versions, "ListVersionsResult");
  CHECK(text(r3, "KeyMarker") == "k+m");
  CHECK(text(r3, "NextKeyMarker") == "n+k");
  CHECK(texts(r3, "Version", "Key")[1] == "%E6%97%A5%E6%9C%AC");
}

TEST_CASE("ListObjectsV2 round-trips through pugixml", "[unit]") {
  S3ObjectListing listing;
  listing.bucket = "b";
  listing.prefix = "";
  listing.delimiter = "/";
  listing.max_keys = 1000;
  for (const std::string& key : kTrickyKeys) {
    listing.contents.push_back(
        {.key = key, .last_modified = kTime, .etag = "e-2", .size = 0, .owner = std::nullopt});
  }
  listing.common_prefixes = {"d/", "e/"};

  pugi::xml_document doc;
  const pugi::xml_node root =
      parsed_root(s3_list_objects_v2_xml(listing, {}), doc, "ListBucketResult");
  CHECK(text(root, "KeyCount") == std::to_string(kTrickyKeys.size() + 2));
  CHECK(text(root, "MaxKeys") == "1000");
  CHECK(text(root, "IsTruncated") == "false");
  CHECK_FALSE(root.child("ContinuationToken"));
  CHECK_FALSE(root.child("NextContinuationToken"));
  CHECK_FALSE(root.child("StartAfter"));
  CHECK_FALSE(root.child("Marker"));
  CHECK(texts(root, "Contents", "Key") == kTrickyKeys);
  CHECK(texts(root, "Contents", "ETag")[0] == "\"e-2\"");
  CHECK_FALSE(root.child("Contents").child("Owner"));
  CHECK(texts(root, "CommonPrefixes", "Prefix") == std::vector<std::string>{"d/", "e/"});

  listing.is_truncated = true;
  pugi::xml_document doc2;
  const pugi::xml_node root2 = parsed_root(
      s3_list_objects_v2_xml(
          listing,
          {.continuation_token = "c1", .next_continuation_token = "c2", .start_after = "after"}),
      doc2, "ListBucketResult");
  CHECK(text(root2, "ContinuationToken") == "c1");
  CHECK(text(root2, "NextContinuationToken") == "c2");
  CHECK(text(root2, "StartAfter") == "after");
  CHECK(text(root2, "IsTruncated") == "true");
}

TEST_CASE("ListObjectVersions of an unversioned bucket", "[unit]") {
  S3ObjectListing listing;
  listing.bucket = "b";
  listing.contents.push_back({.key = "k&",
                              .last_modified = kTime,
                              .etag = "e",
                              .size = 5,
                              .owner = S3Owner{"id", "name"}});
  pugi::xml_document doc;
  const pugi::xml_node root =
      parsed_root(s3_list_versions_xml(listing, {.key_marker = "",
                                                 .version_id_marker = "",
                                                 .next_key_marker = std::nullopt,
                                                 .next_version_id_marker = std::nullopt}),
                  doc, "ListVersionsResult");
  CHECK(text(root, "KeyMarker").empty());
  CHECK(text(root, "VersionIdMarker").empty());
  CHECK_FALSE(root.child("NextKeyMarker"));
  const pugi::xml_node version = root.child("Version");
  CHECK(text(version, "Key") == "k&");
  CHECK(text(version, "VersionId") == "null");
  CHECK(text(version, "IsLatest") == "true");
  CHECK(text(version, "ETag") == "\"e\"");
  CHECK(text(version, "Size") == "5");
  CHECK(text(version, "StorageClass") == "STANDARD");
  CHECK(text(version.child("Owner"), "ID") == "id");
  CHECK_FALSE(root.child("DeleteMarker"));
  CHECK_FALSE(root.child("Contents"));
}

TEST_CASE("ListAllMyBucketsResult", "[unit]") {
  pugi::xml_document doc;
  const pugi::xml_node root =
      parsed_root(s3_list_buckets_xml({.owner = {"tenant-1", "Tenant <1>"},
                                       .buckets = {{"alpha", kTime}, {"b.e-t", Timestamp{}}},
                                       .continuation_token = std::nullopt,
                                       .prefix = std::nullopt}),
                  doc, "ListAllMyBucketsResult");
  CHECK(text(root.child("Owner"), "DisplayName") == "Tenant <1>");
  CHECK(texts(root.child("Buckets"), "Bucket", "Name") ==
        std::vector<std::string>{"alpha", "b.e-t"});
  CHECK(texts(root.child("Buckets"), "Bucket", "CreationDate") ==
        std::vector<std::string>{"2009-10-12T17:50:30.123Z", "1970-01-01T00:00:00.000Z"});
  CHECK_FALSE(root.child("ContinuationToken"));

  pugi::xml_document none;
  const pugi::xml_node empty = parsed_root(
      s3_list_buckets_xml(
          {.owner = {"t", "t"}, .buckets = {}, .continuation_token = "next", .prefix = "a"}),
      none, "ListAllMyBucketsResult");
  CHECK(empty.child("Buckets"));
  CHECK_FALSE(empty.child("Buckets").child("Bucket"));
  CHECK(text(empty, "ContinuationToken") == "next");
  CHECK(text(empty, "Prefix") == "a");
}

TEST_CASE("multipart upload documents", "[unit]") {
  pugi::xml_document init;
  const pugi::xml_node i = parsed_root(s3_initiate_multipart_upload_xml("b", "k&<>", "up-1"), init,
                                       "InitiateMultipartUploadResult");
  CHECK(text(i, "Bucket") == "b");
  CHECK(text(i, "Key") == "k&<>");
  CHECK(text(i, "UploadId") == "up-1");

  pugi::xml_document complete;
  const pugi::xml_node c =
      parsed_root(s3_complete_multipart_upload_xml({.location = "http://h/b/k%26",
                                                    .bucket = "b",
                                                    .key = "k&",
                                                    .etag = "3858f62230ac3c915f300c664312c11f-9",
                                                    .checksums = {.crc32 = std::nullopt,
                                                                  .crc32c = "crUfeA==",
                                                                  .crc64nvme = std::nullopt,
                                                                  .sha1 = std::nullopt,
                                                                  .sha256 = std::nullopt}}),
                  complete, "CompleteMultipartUploadResult");
  CHECK(text(c, "Location") == "http://h/b/k%26");
  CHECK(text(c, "Key") == "k&");
  CHECK(text(c, "ETag") == "\"3858f62230ac3c915f300c664312c11f-9\"");
  CHECK(text(c, "ChecksumCRC32C") == "crUfeA==");
  CHECK_FALSE(c.child("ChecksumCRC32"));

  S3ListPartsResult parts{.bucket = "b",
                          .key = "k",
                          .upload_id = "u",
                          .owner = {"o", "O"},
                          .part_number_marker = 1,
                          .next_part_number_marker = 3,
                          .max_parts = 2,
                          .is_truncated = true,
                          .parts = {}};
  parts.parts.push_back(
      {.part_number = 2, .last_modified = kTime, .etag = "p2", .size = 5242880, .checksums = {}});
  parts.parts.push_back({.part_number = 3,
                         .last_modified = kTime,
                         .etag = "p3",
                         .size = 7,
                         .checksums = {.crc32 = "i9aeUg==",
                                       .crc32c = std::nullopt,
                                       .crc64nvme = std::nullopt,
                                       .sha1 = std::nullopt,
                                       .sha256 = std::nullopt}});
  pugi::xml_document list;
  const pugi::xml_node l = parsed_root(s3_list_parts_xml(parts), list, "ListPartsResult");
  CHECK(text(l.child("Initiator"), "ID") == "o");
  CHECK(text(l.child("Owner"), "DisplayName") == "O");
  CHECK(text(l, "StorageClass") == "STANDARD");
  CHECK(text(l, "PartNumberMarker") == "1");
  CHECK(text(l, "NextPartNumberMarker") == "3");
  CHECK(text(l, "MaxParts") == "2");
  CHECK(text(l, "IsTruncated") == "true");
  CHECK(texts(l, "Part", "PartNumber") == std::vector<std::string>{"2", "3"});
  CHECK(texts(l, "Part", "ETag") == std::vector<std::string>{"\"p2\"", "\"p3\""});
  CHECK(texts(l, "Part", "Size") == std::vector<std::string>{"5242880", "7"});
  CHECK(texts(l, "Part", "LastModified")[0] == "2009-10-12T17:50:30.123Z");
  CHECK(texts(l, "Part", "ChecksumCRC32") == std::vector<std::string>{"", "i9aeUg=="});

  S3ListMultipartUploadsResult uploads;
  uploads.bucket = "b";
  uploads.prefix = "a b";
  uploads.delimiter = "/";
  uploads.url_encoding = true;
  uploads.owner = {"o", "O"};
  uploads.uploads = {{"a b/1", "u1", kTime}, {"a b/2&", "u2", Timestamp{}}};
  uploads.common_prefixes = {"a b/c/"};
  pugi::xml_document listed;
  const pugi::xml_node u =
      parsed_root(s3_list_multipart_uploads_xml(uploads), listed, "ListMultipartUploadsResult");
  CHECK(text(u, "Prefix") == "a+b");
  CHECK(text(u, "KeyMarker").empty());
  CHECK(text(u, "UploadIdMarker").empty());
  CHECK(text(u, "MaxUploads") == "1000");
  CHECK(text(u, "EncodingType") == "url");
  CHECK(texts(u, "Upload", "Key") == std::vector<std::string>{"a+b/1", "a+b/2%26"});
  CHECK(texts(u, "Upload", "UploadId") == std::vector<std::string>{"u1", "u2"});
  CHECK(texts(u, "Upload", "Initiated")[1] == "1970-01-01T00:00:00.000Z");
  CHECK(text(u.child("Upload").child("Initiator"), "ID") == "o");
  CHECK(texts(u, "CommonPrefixes", "Prefix") == std::vector<std::string>{"a+b/c/"});
}

TEST_CASE("copy, delete, location, versioning and ACL documents", "[unit]") {
  for (const auto& [xml, name] :
       {std::pair{s3_copy_object_result_xml({kTime, "abc", {}}), "CopyObjectResult"},
        std::pair{s3_copy_part_result_xml({kTime, "abc", {}}), "CopyPartResult"}}) {
    pugi::xml_document doc;
    const pugi::xml_node root = parsed_root(xml, doc, name);
    CHECK(text(root, "LastModified") == "2009-10-12T17:50:30.123Z");
    CHECK(text(root, "ETag") == "\"abc\"");
  }

  const std::vector<S3DeleteOutcome> outcomes = {
      {.key = "gone&", .version_id = std::nullopt, .error_code = "", .error_message = ""},
      {.key = "locked",
       .version_id = "null",
       .error_code = "AccessDenied",
       .error_message = "Access Denied"},
      {.key = "also gone", .version_id = "null", .error_code = "", .error_message = ""},
  };
  pugi::xml_document loud;
  const pugi::xml_node l = parsed_root(s3_delete_result_xml(outcomes, false), loud, "DeleteResult");
  CHECK(texts(l, "Deleted", "Key") == std::vector<std::string>{"gone&", "also gone"});
  CHECK(texts(l, "Deleted", "VersionId") == std::vector<std::string>{"", "null"});
  CHECK(texts(l, "Error", "Key") == std::vector<std::string>{"locked"});
  CHECK(texts(l, "Error", "Code") == std::vector<std::string>{"AccessDenied"});
  CHECK(texts(l, "Error", "Message") == std::vector<std::string>{"Access Denied"});
  pugi::xml_document quiet;
  const pugi::xml_node q = parsed_root(s3_delete_result_xml(outcomes, true), quiet, "DeleteResult");
  CHECK_FALSE(q.child("Deleted"));
  CHECK(texts(q, "Error", "Key") == std::vector<std::string>{"locked"});

  CHECK(s3_location_constraint_xml("") ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LocationConstraint>");
  pugi::xml_document location;
  CHECK(std::string(
            parsed_root(s3_location_constraint_xml("eu-west-1"), location, "LocationConstraint")
                .text()
                .get()) == "eu-west-1");

  pugi::xml_document versioning;
  const pugi::xml_node v =
      parsed_root(s3_versioning_configuration_xml(), versioning, "VersioningConfiguration");
  CHECK_FALSE(v.first_child());

  pugi::xml_document acl;
  const pugi::xml_node a =
      parsed_root(s3_private_acl_xml({"owner-id", "owner"}), acl, "AccessControlPolicy");
  CHECK(text(a.child("Owner"), "ID") == "owner-id");
  const pugi::xml_node grants = a.child("AccessControlList");
  REQUIRE(grants);
  CHECK(texts(grants, "Grant", "Permission") == std::vector<std::string>{"FULL_CONTROL"});
  const pugi::xml_node grantee = grants.child("Grant").child("Grantee");
  CHECK(std::string_view(grantee.attribute("xsi:type").value()) == "CanonicalUser");
  CHECK(std::string_view(grantee.attribute("xmlns:xsi").value()) ==
        "http://www.w3.org/2001/XMLSchema-instance");
  CHECK(text(grantee, "ID") == "owner-id");
  CHECK(text(grantee, "DisplayName") == "owner");
}

}  // namespace castor
