#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace castor {

// The namespace of every S3 response document but Error.
inline constexpr std::string_view kS3XmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// Writes a small XML 1.0 document into a string, always well-formed whatever text it is given:
//   - text and attribute values escape & < > " ' as the five predefined entities;
//   - TAB, LF and CR are written as &#9; &#10; &#13; so that a reader's end-of-line and
//     attribute normalisation gives them back unchanged;
//   - every other character XML 1.0 cannot hold (the C0 controls, U+FFFE, U+FFFF) and every byte
//     that is not part of valid UTF-8 becomes U+FFFD, the replacement character. castor's object
//     keys never hold control characters (ObjectKey), so this only shields the document from
//     text that bypassed that check; S3 clients that need such keys exactly ask for
//     EncodingType=url, whose percent-encoding is plain ASCII.
// pugixml's own writer would emit &#01; for U+0001 (not well-formed XML 1.0) and raw CRs (read
// back as LF), hence this writer. Names are the caller's constants and are not checked.
class XmlWriter {
 public:
  // Starts the document with <?xml version="1.0" encoding="UTF-8"?>.
  XmlWriter();

  // <name> or, with `xmlns`, <name xmlns="xmlns">; closed by close().
  void open(std::string_view name, std::string_view xmlns = {});
  // Opens with arbitrary attributes (name, value pairs, values escaped).
  void open_with_attributes(
      std::string_view name,
      std::initializer_list<std::pair<std::string_view, std::string_view>> attributes);
  void close();
  // Escaped text inside the innermost open element.
  void text(std::string_view text);
  // <name>text</name>
  void element(std::string_view name, std::string_view text);
  // The whole document; every open element must have been closed.
  std::string finish() &&;

 private:
  std::string out_;
  std::vector<std::string> open_;  // names of the elements open, innermost last
};

// Whether XML 1.0 allows the character `cp` (its Char production: TAB, LF, CR, U+0020..U+D7FF,
// U+E000..U+FFFD, U+10000..U+10FFFF).
bool is_xml_char(char32_t cp);

// Appends `text` to `out` escaped as XmlWriter does (above).
void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace castor
