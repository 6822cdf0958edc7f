// A main for the fuzz targets without libFuzzer: feeds every file named on the command line (or
// found in a directory named there) to LLVMFuzzerTestOneInput once. The ordinary build's
// `fuzz_corpus_replay` test runs it over fuzz/corpus/<target>/, so every seed — and every crash
// input ever committed there — is checked by scripts/test, with the sanitizers in its
// --sanitize run. A target that finds a bug aborts (fuzz_check.h), failing the test.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        run_file(f);
        ++inputs;
      }
    } else {
      run_file(arg);
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr, "no inputs: pass corpus files or directories\n");
    return 2;
  }
  std::printf("%zu inputs replayed\n", inputs);
  return 0;
}
