#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

// JSON text (RFC 8259) in canonical form, std only: what object metadata values are kept as
// (ObjectAttributes::metadata, docs/METADATA.md). Canonical text has no insignificant whitespace,
// object members sorted by name (bytewise, UTF-8), strings escaped minimally (only '"', '\\' and
// control characters; other characters as raw UTF-8) and numbers as PostgreSQL's jsonb (numeric)
// writes them: every digit kept, exponents spelled out (7e9 is 7000000000, 1.50e1 is 15.0, 2.50
// stays 2.50), so canonical text reads back from the database unchanged. Two texts that differ
// only in whitespace, member order, string escaping or exponent notation have the same form.
namespace castor::json_text {

// Members of a JSON object: (name, canonical value text), sorted by name, names unique.
using Members = std::vector<std::pair<std::string, std::string>>;

// How deep arrays and objects may nest in a parsed text.
inline constexpr int kMaxDepth = 32;

// The canonical form of the one JSON value `text` holds (whitespace around it allowed).
// InvalidArgument (reason "invalid_json") for text that is not JSON, nests deeper than kMaxDepth,
// holds a string that is not valid UTF-8 or contains U+0000 (PostgreSQL's jsonb refuses it), or an
// object with a repeated member name.
Result<std::string> canonical(std::string_view text);

// The members of the JSON object `text` holds, each value in canonical form. InvalidArgument
// (reason "invalid_json") as for canonical(), or when the value is not an object.
Result<Members> object_members(std::string_view text);

// `value` as a JSON string (quoted, minimally escaped). `value` should be valid UTF-8.
std::string quote(std::string_view value);

// The string a canonical JSON string text holds, or nullopt when `text` is not a JSON string.
std::optional<std::string> unquote(std::string_view text);

// The canonical text of the object with `members` (already sorted, values canonical).
std::string object_text(const Members& members);

}  // namespace castor::json_text
