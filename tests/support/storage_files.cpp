#include "support/storage_files.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace castor::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> regular_files(const fs::path& dir, const fs::path& excluded) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return files;
  }
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (!excluded.empty() && it->path() == excluded) {
      it.disable_recursion_pending();
    } else if (it->is_regular_file()) {
      files.push_back(it->path());
    }
  }
  return files;
}

}  // namespace

fs::path content_path(const fs::path& root, std::string_view hex) {
  return root / std::string(hex.substr(0, 2)) / std::string(hex.substr(2, 2)) / std::string(hex);
}

std::vector<fs::path> content_files(const fs::path& root) {
  return regular_files(root, root / ".tmp");
}

std::vector<fs::path> temp_files(const fs::path& root) {
  std::vector<fs::path> files = regular_files(root / ".tmp", {});
  std::erase_if(files,
                [](const fs::path& file) { return file.filename().string().starts_with("."); });
  return files;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open " + path.string());
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace castor::testing
