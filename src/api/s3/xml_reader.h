#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "domain/error.h"

namespace castor {

// Strict reading of the S3 API's XML request bodies over pugixml, shared by the parsers of
// s3_xml_request.cpp (see its header for the rules). Errors are InvalidArgument with the S3 code
// as `reason`.

Error s3_xml_error(std::string_view code, std::string message);
Error malformed_xml(std::string message);  // reason MalformedXML

// `s` without XML white space (space, TAB, CR, LF) at either end.
std::string_view trim_xml_space(std::string_view s);

// At most a few dozen bytes of client text for an error message, made printable ASCII.
std::string xml_excerpt(std::string_view text);

// Parses `body` into `doc` after checking what pugixml does not: the size (over `limit`:
// MaxMessageLengthExceeded), UTF-8 holding only characters XML 1.0 allows, no <!DOCTYPE,
// <!ENTITY or other <!...> declaration, and every & starting one of the five predefined
// entities or a character reference to an allowed character. A UTF-8 byte order mark is
// skipped. MalformedXML for the rest, pugixml's errors included.
Status parse_strict_xml(std::string_view body, std::size_t limit, pugi::xml_document& doc);

// The one root element of `doc`, named `expected` (after check_s3_element), with nothing but
// blanks, comments, processing instructions and a leading XML 1.0 UTF-8 declaration around it.
Result<pugi::xml_node> xml_root_element(const pugi::xml_document& doc, std::string_view expected);

// An element castor can read: an unprefixed name; no attribute but xmlns (the S3 namespace
// only) and xmlns:prefix declarations (ignored).
Status check_s3_element(const pugi::xml_node& element);

// Calls `visit(child)` for each child element of `parent` in order, after check_s3_element();
// whitespace between them is skipped, any other content is MalformedXML.
template <class Visit>
Status for_each_child_element(const pugi::xml_node& parent, Visit visit) {
  for (const pugi::xml_node& child : parent.children()) {
    switch (child.type()) {
      case pugi::node_element:
        if (auto s = check_s3_element(child); !s) {
          return s;
        }
        if (auto s = visit(child); !s) {
          return s;
        }
        break;
      case pugi::node_pcdata:
        if (!trim_xml_space(child.value()).empty()) {
          return malformed_xml("text inside <" + xml_excerpt(parent.name()) +
                               "> where only elements belong");
        }
        break;
      default:
        return malformed_xml("unexpected content inside <" + xml_excerpt(parent.name()) + ">");
    }
  }
  return {};
}

// The text of a leaf element (its text and CDATA pieces joined), or MalformedXML if it holds an
// element.
Result<std::string> xml_leaf_text(const pugi::xml_node& element);

// Stores the text of a leaf element that may appear once (MalformedXML the second time).
Status take_leaf_once(const pugi::xml_node& element, std::optional<std::string>& slot);

Error unknown_xml_element(const pugi::xml_node& element, const pugi::xml_node& parent);
Error missing_xml_element(std::string_view name, std::string_view parent);

}  // namespace castor
