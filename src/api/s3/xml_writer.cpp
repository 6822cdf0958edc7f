#include "api/s3/xml_writer.h"

#include <cassert>

#include "domain/utf8.h"

namespace castor {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

bool is_xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void append_xml_escaped(std::string& out, std::string_view text) {
  while (!text.empty()) {
    const char c = text.front();
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default: {
        if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x80) {
          out += c;
          break;
        }
        char32_t cp = 0;
        const std::size_t len = decode_utf8(text, cp);
        if (len == 0) {
          out += kReplacement;  // one invalid byte
          break;
        }
        if (is_xml_char(cp)) {
          out.append(text.data(), len);
        } else {
          out += kReplacement;
        }
        text.remove_prefix(len);
        continue;
      }
    }
    text.remove_prefix(1);
  }
}

XmlWriter::XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

void XmlWriter::open(std::string_view name, std::string_view xmlns) {
  if (xmlns.empty()) {
    open_with_attributes(name, {});
  } else {
    open_with_attributes(name, {{"xmlns", xmlns}});
  }
}

void XmlWriter::open_with_attributes(
    std::string_view name,
    std::initializer_list<std::pair<std::string_view, std::string_view>> attributes) {
  out_ += '<';
  out_ += name;
  for (const auto& [attribute, value] : attributes) {
    out_ += ' ';
    out_ += attribute;
    out_ += "=\"";
    append_xml_escaped(out_, value);
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(name);
}

void XmlWriter::close() {
  assert(!open_.empty());
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
}

void XmlWriter::text(std::string_view text) {
  assert(!open_.empty());
  append_xml_escaped(out_, text);
}

void XmlWriter::element(std::string_view name, std::string_view text) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  append_xml_escaped(out_, text);
  out_ += "</";
  out_ += name;
  out_ += '>';
}

std::string XmlWriter::finish() && {
  assert(open_.empty());
  return std::move(out_);
}

}  // namespace castor
