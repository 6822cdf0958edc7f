#include "domain/names.h"

namespace castor {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool is_valid_name(std::string_view text) {
  if (text.empty() || text.size() > 63 || !is_lower_alnum(text[0])) {
    return false;
  }
  for (char c : text.substr(1)) {
    if (!is_lower_alnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace castor
