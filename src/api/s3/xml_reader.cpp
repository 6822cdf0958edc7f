#include "api/s3/xml_reader.h"

#include <cstdint>
#include <string>

#include "api/s3/xml_writer.h"
#include "domain/utf8.h"

namespace castor {
namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Checks a reference that starts at body[i] == '&' and returns its length, or 0 if it is not a
// predefined entity or a character reference to a character XML 1.0 allows.
std::size_t reference_length(std::string_view body, std::size_t i) {
  const std::string_view rest = body.substr(i);
  for (std::string_view entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
    if (rest.starts_with(entity)) {
      return entity.size();
    }
  }
  if (!rest.starts_with("&#")) {
    return 0;
  }
  const bool hex = rest.size() > 2 && rest[2] == 'x';
  std::size_t pos = hex ? 3 : 2;
  std::uint32_t value = 0;
  std::size_t digits = 0;
  for (; pos < rest.size() && rest[pos] != ';'; ++pos, ++digits) {
    const char c = rest[pos];
    int d = -1;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (hex && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (hex && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    }
    if (d < 0 || digits >= 8) {
      return 0;
    }
    value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
  }
  if (digits == 0 || pos == rest.size() || !is_xml_char(value)) {
    return 0;
  }
  return pos + 1;
}

// What pugixml does not check, checked on the raw text before it parses: UTF-8 holding only
// characters XML 1.0 allows; no <!DOCTYPE, <!ENTITY or other <!...> declaration (pugixml would
// skip a DTD's internal subset and leave &name; references unexpanded, but a body with a DTD is
// refused outright); every & starting a predefined entity or a character reference to an allowed
// character (pugixml would write &#0; as a NUL that cuts the text short, and pass &#1; or
// unknown entities through). Comments, CDATA sections and processing instructions are skipped.
Status check_raw_xml(std::string_view body) {
  for (std::string_view rest = body; !rest.empty();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(rest, cp);
    if (len == 0) {
      return malformed_xml("the body is not valid UTF-8");
    }
    if (!is_xml_char(cp)) {
      return malformed_xml("the body holds a character XML 1.0 does not allow");
    }
    rest.remove_prefix(len);
  }
  const auto skip_to = [&](std::size_t from, std::string_view end) -> std::size_t {
    const std::size_t at = body.find(end, from);
    return at == std::string_view::npos ? at : at + end.size();
  };
  for (std::size_t i = 0; i < body.size();) {
    const std::string_view rest = body.substr(i);
    std::size_t next = i + 1;
    if (rest.starts_with("<!--")) {
      next = skip_to(i + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      next = skip_to(i + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      next = skip_to(i + 2, "?>");
    } else if (rest.starts_with("<!")) {
      return malformed_xml("document type declarations (<!DOCTYPE, <!ENTITY) are not accepted");
    } else if (rest.front() == '&') {
      const std::size_t len = reference_length(body, i);
      if (len == 0) {
        return malformed_xml("reference " + xml_excerpt(rest.substr(0, 12)) +
                             " is not a predefined entity or an allowed character");
      }
      next = i + len;
    }
    if (next == std::string_view::npos) {
      return malformed_xml("unterminated comment, CDATA section or processing instruction");
    }
    i = next;
  }
  return {};
}

}  // namespace

Error s3_xml_error(std::string_view code, std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message), std::string(code)};
}
Error malformed_xml(std::string message) {
  return s3_xml_error("MalformedXML", std::move(message));
}

std::string_view trim_xml_space(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_xml_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// At most a few dozen bytes of client text for an error message, made printable.
std::string xml_excerpt(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out;
  for (const char c : text.substr(0, kMax)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > kMax) {
    out += "...";
  }
  return out;
}

// The attributes allowed on any element: xmlns (the S3 namespace only) and xmlns:prefix
// declarations (ignored; no element may use a prefix).
Status check_s3_element(const pugi::xml_node& element) {
  const std::string_view name = element.name();
  if (name.find(':') != std::string_view::npos) {
    return malformed_xml("prefixed element <" + xml_excerpt(name) +
                         "> (only the S3 namespace is known)");
  }
  for (const pugi::xml_attribute& a : element.attributes()) {
    const std::string_view attribute = a.name();
    if (attribute == "xmlns") {
      if (std::string_view(a.value()) != kS3XmlNamespace) {
        return malformed_xml("unknown namespace " + xml_excerpt(a.value()) + " on <" +
                             xml_excerpt(name) + ">");
      }
    } else if (!attribute.starts_with("xmlns:")) {
      return malformed_xml("unexpected attribute " + xml_excerpt(attribute) + " on <" +
                           xml_excerpt(name) + ">");
    }
  }
  return {};
}

// The one root element, named `expected`, of a document parsed as a fragment (so that text
// after the root is visible and refused).
Result<pugi::xml_node> xml_root_element(const pugi::xml_document& doc, std::string_view expected) {
  pugi::xml_node root;
  bool first = true;
  for (const pugi::xml_node& node : doc.children()) {
    switch (node.type()) {
      case pugi::node_declaration: {
        if (!first) {
          return malformed_xml("the XML declaration must open the document");
        }
        const std::string_view version = node.attribute("version").value();
        std::string encoding = node.attribute("encoding").value();
        for (char& c : encoding) {
          c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        }
        if (version != "1.0" || (!encoding.empty() && encoding != "UTF-8")) {
          return malformed_xml("only XML 1.0 in UTF-8 is accepted");
        }
        break;
      }
      case pugi::node_pcdata:
        if (!trim_xml_space(node.value()).empty()) {
          return malformed_xml("text outside the root element");
        }
        break;
      case pugi::node_element:
        if (root) {
          return malformed_xml("more than one root element");
        }
        root = node;
        break;
      default:
        return malformed_xml("unexpected markup outside the root element");
    }
    first = false;
  }
  if (!root) {
    return malformed_xml("no root element");
  }
  if (std::string_view(root.name()) != expected) {
    return malformed_xml("the root element must be <" + std::string(expected) + ">, not <" +
                         xml_excerpt(root.name()) + ">");
  }
  if (auto s = check_s3_element(root); !s) {
    return s.error();
  }
  return root;
}

// Checks the raw text, then parses it. The document's nodes point into `doc`.
Status parse_strict_xml(std::string_view body, std::size_t limit, pugi::xml_document& doc) {
  if (body.size() > limit) {
    return s3_xml_error("MaxMessageLengthExceeded",
                        "the XML body has " + std::to_string(body.size()) + " bytes, more than " +
                            std::to_string(limit));
  }
  if (body.starts_with("\xEF\xBB\xBF")) {
    body.remove_prefix(3);
  }
  if (auto s = check_raw_xml(body); !s) {
    return s;
  }
  // parse_fragment keeps text outside the root (refused above) instead of dropping it;
  // parse_ws_pcdata keeps whitespace-only text, so that a key of blanks stays one;
  // parse_doctype makes a DTD a node (unreachable after check_raw_xml, refused anyway).
  const unsigned options = pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_fragment |
                           pugi::parse_declaration | pugi::parse_doctype;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), options, pugi::encoding_utf8);
  if (!parsed) {
    return malformed_xml(std::string("not well-formed XML: ") + parsed.description() + " at byte " +
                         std::to_string(parsed.offset));
  }
  return {};
}

// The text of a leaf element (its text and CDATA pieces joined), or MalformedXML if it holds an
// element.
Result<std::string> xml_leaf_text(const pugi::xml_node& element) {
  std::string text;
  for (const pugi::xml_node& child : element.children()) {
    if (child.type() != pugi::node_pcdata && child.type() != pugi::node_cdata) {
      return malformed_xml("<" + xml_excerpt(element.name()) + "> must hold text only");
    }
    text += child.value();
  }
  return text;
}

// Stores the text of a leaf element that may appear once.
Status take_leaf_once(const pugi::xml_node& element, std::optional<std::string>& slot) {
  if (slot) {
    return malformed_xml("<" + xml_excerpt(element.name()) + "> appears more than once");
  }
  auto text = xml_leaf_text(element);
  if (!text) {
    return text.error();
  }
  slot = std::move(*text);
  return {};
}

Error unknown_xml_element(const pugi::xml_node& element, const pugi::xml_node& parent) {
  return malformed_xml("unknown element <" + xml_excerpt(element.name()) + "> in <" +
                       xml_excerpt(parent.name()) + ">");
}

Error missing_xml_element(std::string_view name, std::string_view parent) {
  return malformed_xml("<" + std::string(parent) + "> without <" + std::string(name) + ">");
}

}  // namespace castor
