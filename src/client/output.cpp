#include "client/output.h"

#include <cstdio>

#include <boost/json/serialize.hpp>

namespace castor::client {

void print_json(const boost::json::value& value) { print_line(boost::json::serialize(value)); }

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void print_note(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

}  // namespace castor::client
