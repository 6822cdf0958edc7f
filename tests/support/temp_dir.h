#pragma once

#include <filesystem>
#include <string_view>

namespace castor::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it by the destructor.
class TempDir {
 public:
  // Throws std::system_error if the directory cannot be created.
  explicit TempDir(std::string_view prefix = "castor-test");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  void remove() noexcept;

  std::filesystem::path path_;  // empty once moved from
};

}  // namespace castor::testing
