// castor_openapi_dump [FRAGMENT.json...]: prints the OpenAPI document castor serves at
// GET /openapi.json, merged with the given fragment files first (the planned ones of
// src/api/openapi/planned/), for tests/openapi/run.sh to validate. Exit status 1 when a file cannot
// be read or the merge fails.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/openapi_document.h"

int main(int argc, char** argv) {
  std::vector<std::string> texts;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    if (!in) {
      std::fprintf(stderr, "castor_openapi_dump: cannot read %s\n", argv[i]);
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    texts.push_back(text.str());
  }
  std::vector<std::string_view> sources{castor::api::openapi_document().json};
  sources.insert(sources.end(), texts.begin(), texts.end());
  auto merged = castor::api::merge_openapi(sources);
  if (!merged) {
    std::fprintf(stderr, "castor_openapi_dump: %s\n", merged.error().message.c_str());
    return 1;
  }
  std::fwrite(merged->data(), 1, merged->size(), stdout);
  std::fputc('\n', stdout);
  return std::ferror(stdout) ? 1 : 0;
}
