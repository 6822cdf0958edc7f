#include "infrastructure/libarchive_archiver.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

namespace castor {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// BlobReader over a string. `declared` is what size() reports (the string's size by default);
// reads return at most `max_read` bytes (short reads) and nothing past `ends_at`.
class StringReader final : public BlobReader {
 public:
  explicit StringReader(std::string data) : data_(std::move(data)), declared_(data_.size()) {}
  StringReader& declare(std::uint64_t size) {
    declared_ = size;
    return *this;
  }
  StringReader& max_read(std::size_t bytes) {
    max_read_ = bytes;
    return *this;
  }
  StringReader& ends_at(std::size_t offset) {
    ends_at_ = offset;
    return *this;
  }

  std::uint64_t size() const override { return declared_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    const std::size_t end = std::min(ends_at_.value_or(data_.size()), data_.size());
    if (offset >= end) {
      return std::size_t{0};
    }
    const std::size_t n = std::min({out.size(), end - static_cast<std::size_t>(offset), max_read_});
    std::memcpy(out.data(), data_.data() + offset, n);
    return n;
  }

 private:
  std::string data_;
  std::uint64_t declared_;
  std::size_t max_read_ = SIZE_MAX;
  std::optional<std::size_t> ends_at_;
};

// `size` zero bytes, without holding them.
class ZeroReader final : public BlobReader {
 public:
  explicit ZeroReader(std::uint64_t size) : size_(size) {}
  std::uint64_t size() const override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    const std::size_t n = offset >= size_ ? 0 : std::min<std::uint64_t>(out.size(), size_ - offset);
    std::memset(out.data(), 0, n);
    return n;
  }

 private:
  std::uint64_t size_;
};

struct File {
  std::string path;
  std::string content;
  std::uint32_t mode = 0644;
};

// 2024-05-06T07:08:09.123456Z: whole seconds are what both formats keep.
const Timestamp kModifiedAt{std::chrono::microseconds(1714979289123456)};
constexpr std::int64_t kModifiedAtSeconds = 1714979289;

ContentHash some_hash() { return ContentHash::from_bytes({}); }

std::vector<ArchiveEntry> entries_of(const std::vector<File>& files) {
  std::vector<ArchiveEntry> entries;
  for (const File& f : files) {
    entries.push_back({f.path, f.mode, f.content.size(), kModifiedAt, some_hash()});
  }
  return entries;
}

// Opens each entry's content from `files` by path.
Archiver::ContentOpener opener_of(const std::vector<File>& files, std::size_t max_read = SIZE_MAX) {
  auto contents = std::make_shared<std::map<std::string, std::string>>();
  for (const File& f : files) {
    (*contents)[f.path] = f.content;
  }
  return [contents, max_read](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
    auto reader = std::make_unique<StringReader>(contents->at(e.path));
    reader->max_read(max_read);
    return std::unique_ptr<BlobReader>(std::move(reader));
  };
}

// Reads the whole stream in reads of `chunk` bytes. Throws on an error.
std::string drain(ArchiveStream& stream, std::size_t chunk) {
  std::string archive;
  std::vector<std::byte> buffer(chunk);
  while (true) {
    auto n = stream.read(buffer);
    if (!n) {
      throw std::runtime_error("read failed: " + n.error().message);
    }
    if (*n == 0) {
      return archive;
    }
    archive.append(reinterpret_cast<const char*>(buffer.data()), *n);
  }
}

std::string build(ArchiveFormat format, const std::vector<File>& files, std::size_t chunk,
                  std::size_t piece_bytes = LibarchiveArchiver::kDefaultPieceBytes,
                  std::size_t max_read = SIZE_MAX) {
  LibarchiveArchiver archiver(piece_bytes);
  auto stream = archiver.open(format, entries_of(files), opener_of(files, max_read));
  REQUIRE(stream);
  return drain(**stream, chunk);
}

struct CommandResult {
  int exit_code;
  std::string output;
};

// Runs `command` with sh in a UTF-8 locale; stdout and stderr together.
CommandResult run(const std::string& command) {
  FILE* pipe = ::popen(("LC_ALL=C.UTF-8 " + command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

struct Extracted {
  std::string content;
  std::uint32_t mode;
  std::int64_t mtime;
};

// Every regular file under `dir`, by '/'-separated relative path.
std::map<std::string, Extracted> files_under(const fs::path& dir) {
  std::map<std::string, Extracted> files;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (!item.is_regular_file()) {
      continue;
    }
    std::ifstream in(item.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    struct stat st {};
    REQUIRE(::stat(item.path().c_str(), &st) == 0);
    files[fs::relative(item.path(), dir).generic_string()] = {
        std::move(content), static_cast<std::uint32_t>(st.st_mode & 07777),
        static_cast<std::int64_t>(st.st_mtime)};
  }
  return files;
}

void require_same_files(const std::map<std::string, Extracted>& extracted,
                        const std::vector<File>& files) {
  REQUIRE(extracted.size() == files.size());
  for (const File& f : files) {
    INFO(f.path);
    const auto it = extracted.find(f.path);
    REQUIRE(it != extracted.end());
    CHECK(it->second.content == f.content);
    CHECK(it->second.mode == f.mode);
    CHECK(it->second.mtime == kModifiedAtSeconds);
  }
}

// Bytes that are not all alike, so that a misplaced piece shows.
std::string pattern(std::size_t size, unsigned seed) {
  std::string s(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

std::vector<File> sample_files() {
  return {
      {"run.sh", "#!/bin/sh\necho hi\n", 0755},
      {"README", "read me\n", 0644},
      {"secret/key.pem", "-----BEGIN-----\n", 0600},
      {"empty", "", 0644},
      {"dir with spaces/a file.txt", "spaces\n", 0644},
      {"données/日本語/naïve ß.txt", "utf-8 names\n", 0640},
      {"a/b/c/d/e/deep.bin", pattern(700 * 1024 + 3, 1), 0644},  // several pieces
      {std::string(120, 'x') + "/long-name-past-ustar-100-bytes", "long\n", 0644},
  };
}

TEST_CASE("a ZIP passes unzip -t and extracts every file's bytes, mode and time", "[unit]") {
  const auto files = sample_files();
  TempDir dir("castor-zip");
  const fs::path zip = dir.path() / "bundle.zip";
  write_file(zip, build(ArchiveFormat::kZip, files, 64 * 1024));

  const auto test = run("unzip -t " + quoted(zip));
  INFO(test.output);
  REQUIRE(test.exit_code == 0);
  CHECK(test.output.find("No errors detected") != std::string::npos);

  // Every entry stored, none compressed.
  const auto listing = run("unzip -Z " + quoted(zip));
  INFO(listing.output);
  REQUIRE(listing.exit_code == 0);
  std::size_t stored = 0;
  for (std::size_t at = 0; (at = listing.output.find(" stor ", at)) != std::string::npos; ++at) {
    ++stored;
  }
  CHECK(stored == files.size());
  CHECK(listing.output.find("-rwxr-xr-x") != std::string::npos);

  const fs::path out = dir.path() / "unzipped";
  const auto extract = run("unzip -q " + quoted(zip) + " -d " + quoted(out));
  INFO(extract.output);
  REQUIRE(extract.exit_code == 0);
  require_same_files(files_under(out), files);

  // bsdtar reads the same ZIP, checking the CRCs as it extracts.
  const fs::path out2 = dir.path() / "bsdtar";
  fs::create_directory(out2);
  const auto bsdtar = run("bsdtar -xpf " + quoted(zip) + " -C " + quoted(out2));
  INFO(bsdtar.output);
  REQUIRE(bsdtar.exit_code == 0);
  require_same_files(files_under(out2), files);
}

TEST_CASE("a tar extracts with bsdtar to every file's bytes, mode and time", "[unit]") {
  const auto files = sample_files();
  TempDir dir("castor-tar");
  const fs::path tar = dir.path() / "bundle.tar";
  const std::string bytes = build(ArchiveFormat::kTar, files, 64 * 1024);
  CHECK(bytes.size() % 512 == 0);
  write_file(tar, bytes);

  const auto listing = run("bsdtar -tvf " + quoted(tar));
  INFO(listing.output);
  REQUIRE(listing.exit_code == 0);
  CHECK(listing.output.find("-rw-------") != std::string::npos);
  CHECK(listing.output.find("-rwxr-xr-x  0 0      0") != std::string::npos);
  CHECK(listing.output.find("données/日本語/naïve ß.txt") != std::string::npos);

  const fs::path out = dir.path() / "x";
  fs::create_directory(out);
  const auto extract = run("bsdtar -xpf " + quoted(tar) + " -C " + quoted(out));
  INFO(extract.output);
  REQUIRE(extract.exit_code == 0);
  require_same_files(files_under(out), files);
}

TEST_CASE("tiny reads, short reads and small pieces give the same bytes as large reads", "[unit]") {
  const auto files = sample_files();
  for (const auto format : {ArchiveFormat::kZip, ArchiveFormat::kTar}) {
    const std::string reference = build(format, files, 1 << 20);
    CHECK(build(format, files, 1) == reference);
    CHECK(build(format, files, 7) == reference);
    CHECK(build(format, files, 4096, 4096) == reference);
    CHECK(build(format, files, 7, 1000, 333) == reference);  // pieces of 1000, reads of <= 333
  }
}

TEST_CASE("every read fills the caller's buffer until the end of the archive", "[unit]") {
  const auto files = sample_files();
  LibarchiveArchiver archiver;
  auto stream = archiver.open(ArchiveFormat::kZip, entries_of(files), opener_of(files));
  REQUIRE(stream);
  std::vector<std::byte> buffer(100000);
  std::vector<std::size_t> sizes;
  while (true) {
    auto n = (*stream)->read(buffer);
    REQUIRE(n);
    sizes.push_back(*n);
    if (*n == 0) {
      break;
    }
  }
  REQUIRE(sizes.size() >= 3);
  for (std::size_t i = 0; i + 2 < sizes.size(); ++i) {
    CHECK(sizes[i] == buffer.size());
  }
  CHECK(sizes[sizes.size() - 2] > 0);
  // Read again after the end: still the end.
  auto again = (*stream)->read(buffer);
  REQUIRE(again);
  CHECK(*again == 0);
}

TEST_CASE("an archive of no entries is a valid empty archive", "[unit]") {
  TempDir dir("castor-empty");
  const std::string zip = build(ArchiveFormat::kZip, {}, 4096);
  // Only the end of central directory record.
  CHECK(zip == std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  const std::string tar = build(ArchiveFormat::kTar, {}, 4096);
  CHECK(tar == std::string(1024, '\0'));
  for (const auto& [name, bytes] : {std::pair{"e.zip", zip}, std::pair{"e.tar", tar}}) {
    const fs::path path = dir.path() / name;
    write_file(path, bytes);
    const auto listing = run("bsdtar -tvf " + quoted(path));
    INFO(name << ": " << listing.output);
    CHECK(listing.exit_code == 0);
    CHECK(listing.output.empty());
  }
}

Result<std::string> try_build(ArchiveFormat format, std::vector<ArchiveEntry> entries,
                              Archiver::ContentOpener opener, std::size_t chunk = 4096) {
  LibarchiveArchiver archiver(1024);
  auto stream = archiver.open(format, std::move(entries), std::move(opener));
  REQUIRE(stream);
  std::string archive;
  std::vector<std::byte> buffer(chunk);
  while (true) {
    auto n = (*stream)->read(buffer);
    if (!n) {
      // The stream stays failed.
      auto again = (*stream)->read(buffer);
      REQUIRE_FALSE(again);
      CHECK(again.error().code == n.error().code);
      return n.error();
    }
    if (*n == 0) {
      return archive;
    }
    archive.append(reinterpret_cast<const char*>(buffer.data()), *n);
  }
}

TEST_CASE("content that differs from its declared size is DataLoss", "[unit]") {
  const std::string content = pattern(5000, 2);
  const auto format = GENERATE(ArchiveFormat::kZip, ArchiveFormat::kTar);
  const std::vector<ArchiveEntry> entries = {
      {"first", 0644, 3, kModifiedAt, some_hash()},
      {"second", 0644, 5000, kModifiedAt, some_hash()},
  };
  auto opener_with = [&](auto configure) -> Archiver::ContentOpener {
    return [&, configure](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
      if (e.path == "first") {
        return std::unique_ptr<BlobReader>(std::make_unique<StringReader>("abc"));
      }
      auto reader = std::make_unique<StringReader>(content);
      configure(*reader);
      return std::unique_ptr<BlobReader>(std::move(reader));
    };
  };

  SECTION("the reader ends early") {
    auto r = try_build(format, entries, opener_with([](StringReader& r) { r.ends_at(4000); }));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
    CHECK(r.error().message.find("second") != std::string::npos);
  }
  SECTION("the reader ends early at a piece boundary, in tiny reads") {
    auto r = try_build(format, entries,
                       opener_with([](StringReader& r) { r.ends_at(3072).max_read(100); }), 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
  }
  SECTION("the reader goes on past the declared size") {
    auto longer = entries;
    longer[1].size_bytes = 4999;
    auto r =
        try_build(format, longer, opener_with([](StringReader& r) { r.declare(4999); }), 1 << 16);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
  }
  SECTION("the content's size is not the declared size") {
    auto r = try_build(format, entries, opener_with([](StringReader& r) { r.declare(5001); }));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
  }
  SECTION("the same content of the right size succeeds") {
    auto r = try_build(format, entries, opener_with([](StringReader&) {}));
    REQUIRE(r);
  }
}

TEST_CASE("errors of the opener and of the reader come out of read as they are", "[unit]") {
  const auto format = GENERATE(ArchiveFormat::kZip, ArchiveFormat::kTar);
  const std::vector<ArchiveEntry> entries = {
      {"ok", 0644, 2, kModifiedAt, some_hash()},
      {"missing", 0644, 2, kModifiedAt, some_hash()},
  };
  int opened = 0;
  auto r =
      try_build(format, entries, [&](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
        ++opened;
        if (e.path == "missing") {
          return not_found("no content for missing");
        }
        return std::unique_ptr<BlobReader>(std::make_unique<StringReader>("ok"));
      });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kNotFound);
  CHECK(r.error().message == "no content for missing");
  CHECK(opened == 2);

  class FailingReader final : public BlobReader {
   public:
    std::uint64_t size() const override { return 10; }
    Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
      return Error{ErrorCode::kInternal, "read failed: EIO"};
    }
  };
  auto failed = try_build(format, {{"f", 0644, 10, kModifiedAt, some_hash()}},
                          [](const ArchiveEntry&) -> Result<std::unique_ptr<BlobReader>> {
                            return std::unique_ptr<BlobReader>(std::make_unique<FailingReader>());
                          });
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message == "read failed: EIO");
}

TEST_CASE("a stream dropped part way frees everything and opens nothing more", "[unit]") {
  const auto files = sample_files();
  for (const auto format : {ArchiveFormat::kZip, ArchiveFormat::kTar}) {
    int opened = 0;
    auto opener = opener_of(files);
    LibarchiveArchiver archiver(1024);
    auto stream = archiver.open(format, entries_of(files), [&](const ArchiveEntry& e) {
      ++opened;
      return opener(e);
    });
    REQUIRE(stream);
    std::vector<std::byte> buffer(10);
    REQUIRE((*stream)->read(buffer));
    stream->reset();  // ASan's leak check sees what libarchive would have kept
    CHECK(opened == 1);
  }
}

TEST_CASE("a ZIP of 70,000 entries has ZIP64 end records that unzip reads", "[unit]") {
  constexpr std::size_t kCount = 70000;
  std::vector<ArchiveEntry> entries;
  entries.reserve(kCount);
  for (std::size_t i = 0; i < kCount; ++i) {
    entries.push_back({"d" + std::to_string(i / 1000) + "/f" + std::to_string(i), 0644, i % 2,
                       kModifiedAt, some_hash()});
  }
  LibarchiveArchiver archiver;
  auto stream = archiver.open(ArchiveFormat::kZip, std::move(entries),
                              [](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
                                return std::unique_ptr<BlobReader>(
                                    std::make_unique<StringReader>(std::string(e.size_bytes, 'z')));
                              });
  REQUIRE(stream);
  const std::string zip = drain(**stream, 1 << 20);
  // The ZIP64 end of central directory record and its locator.
  CHECK(zip.find(std::string("PK\x06\x06", 4)) != std::string::npos);
  CHECK(zip.find(std::string("PK\x06\x07", 4)) != std::string::npos);

  TempDir dir("castor-zip64");
  const fs::path path = dir.path() / "many.zip";
  write_file(path, zip);
  const auto names = run("unzip -Z -1 " + quoted(path) + " | wc -l");
  INFO(names.output);
  REQUIRE(names.exit_code == 0);
  CHECK(std::stoul(names.output) == kCount);
  const auto test = run("unzip -tq " + quoted(path));
  INFO(test.output.substr(0, 2000));
  CHECK(test.exit_code == 0);
  CHECK(test.output.find("No errors detected") != std::string::npos);
}

// Writes the archive to `path`, leaving holes where a whole read is zeros (the file stays small).
void write_sparse(ArchiveStream& stream, const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  std::vector<std::byte> buffer(1 << 20);
  const std::vector<std::byte> zeros(buffer.size());
  off_t offset = 0;
  while (true) {
    auto n = stream.read(buffer);
    REQUIRE(n);
    if (*n == 0) {
      break;
    }
    if (std::memcmp(buffer.data(), zeros.data(), *n) != 0) {
      REQUIRE(::pwrite(fd, buffer.data(), *n, offset) == static_cast<ssize_t>(*n));
    }
    offset += static_cast<off_t>(*n);
  }
  REQUIRE(::ftruncate(fd, offset) == 0);
  ::close(fd);
}

// 25-60 s in a Release build (mostly unzip -t's CRC-32 of 4 GiB): hidden from the default run;
// run it by hand with castor_unit_tests "[slow]".
TEST_CASE("a ZIP entry past 4 GiB, and one after it, pass unzip -t", "[.][slow]") {
  constexpr std::uint64_t kBig = (4ull << 30) + 12345;
  const std::vector<ArchiveEntry> entries = {
      {"big.bin", 0644, kBig, kModifiedAt, some_hash()},
      {"after", 0755, 5, kModifiedAt, some_hash()},
  };
  LibarchiveArchiver archiver;
  auto stream = archiver.open(
      ArchiveFormat::kZip, entries,
      [](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
        if (e.path == "after") {
          return std::unique_ptr<BlobReader>(std::make_unique<StringReader>("after"));
        }
        return std::unique_ptr<BlobReader>(std::make_unique<ZeroReader>(e.size_bytes));
      });
  REQUIRE(stream);
  TempDir dir("castor-zip-big");
  const fs::path path = dir.path() / "big.zip";
  write_sparse(**stream, path);

  const auto listing = run("unzip -Z -l " + quoted(path));
  INFO(listing.output);
  REQUIRE(listing.exit_code == 0);
  CHECK(listing.output.find(std::to_string(kBig)) != std::string::npos);
  const auto test = run("unzip -t " + quoted(path));
  INFO(test.output);
  CHECK(test.exit_code == 0);
  CHECK(test.output.find("No errors detected") != std::string::npos);
  const auto after = run("unzip -p " + quoted(path) + " after");
  CHECK(after.output == "after");
}

// Throughput of the ZIP and tar paths against a plain read-and-copy loop: 2 GiB of zeros in 1 MiB
// reads. Run by hand: castor_unit_tests "[bench]".
TEST_CASE("archive streaming throughput", "[.][bench]") {
  constexpr std::uint64_t kSize = 2ull << 30;
  using Clock = std::chrono::steady_clock;
  std::vector<std::byte> buffer(1 << 20);
  auto mb_per_s = [](std::uint64_t bytes, Clock::duration d) {
    return static_cast<double>(bytes) / 1e6 / std::chrono::duration<double>(d).count();
  };
  {
    ZeroReader reader(kSize);
    std::vector<std::byte> piece(LibarchiveArchiver::kDefaultPieceBytes);
    const auto start = Clock::now();
    std::uint64_t offset = 0;
    std::size_t at = 0;
    while (offset < kSize) {
      auto n = reader.read_at(offset, piece);
      REQUIRE(n);
      offset += *n;
      for (std::size_t done = 0; done < *n;) {
        const std::size_t k = std::min(*n - done, buffer.size() - at);
        std::memcpy(buffer.data() + at, piece.data() + done, k);
        done += k;
        at = (at + k) % buffer.size();
      }
    }
    std::cout << "plain read+copy: " << mb_per_s(kSize, Clock::now() - start) << " MB/s\n";
  }
  for (const auto format : {ArchiveFormat::kZip, ArchiveFormat::kTar}) {
    LibarchiveArchiver archiver;
    auto stream = archiver.open(
        format, {{"zeros", 0644, kSize, kModifiedAt, some_hash()}},
        [](const ArchiveEntry& e) -> Result<std::unique_ptr<BlobReader>> {
          return std::unique_ptr<BlobReader>(std::make_unique<ZeroReader>(e.size_bytes));
        });
    REQUIRE(stream);
    const auto start = Clock::now();
    std::uint64_t total = 0;
    while (true) {
      auto n = (*stream)->read(buffer);
      REQUIRE(n);
      if (*n == 0) {
        break;
      }
      total += *n;
    }
    CHECK(total > kSize);
    std::cout << (format == ArchiveFormat::kZip ? "zip" : "tar") << ": "
              << mb_per_s(total, Clock::now() - start) << " MB/s\n";
  }
}

}  // namespace
}  // namespace castor
