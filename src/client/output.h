#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace castor::client {

// Writes `value` as one line of JSON on stdout.
void print_json(const boost::json::value& value);

// Writes `line` and a newline on stdout.
void print_line(const std::string& line);

// Writes `line` and a newline on stderr (messages for people, not for pipes).
void print_note(const std::string& line);

}  // namespace castor::client
