// How castorctl push cuts its files into pipeline batches: growing batches, byte and file limits,
// one preflight's worth at most.

#include "client/push_batches.h"

#include <catch2/catch.hpp>

namespace castor::client {
namespace {

std::vector<ScannedFile> files_of_sizes(const std::vector<std::uint64_t>& sizes) {
  std::vector<ScannedFile> files;
  for (const std::uint64_t size : sizes) {
    files.push_back({.source = "f", .relative = "f", .size = size});
  }
  return files;
}

}  // namespace

TEST_CASE("push batches: they double from the first size up to the maximum", "[unit][client]") {
  const auto files = files_of_sizes(std::vector<std::uint64_t>(20, 1));
  const PushBatching batching{
      .max_files = 6, .max_bytes = 1 << 20, .first_files = 1, .first_bytes = 1 << 20};
  CHECK(cut_batches(files, batching) ==
        std::vector<BatchRange>{{0, 1}, {1, 3}, {3, 7}, {7, 13}, {13, 19}, {19, 20}});
}

TEST_CASE(
    "push batches: a batch ends before the file that would pass the byte limit; a larger "
    "file is a batch of its own",
    "[unit][client]") {
  const auto files = files_of_sizes({5, 5, 5, 20, 5, 0, 0, 6});
  const PushBatching batching{
      .max_files = 100, .max_bytes = 10, .first_files = 100, .first_bytes = 10};
  CHECK(cut_batches(files, batching) ==
        std::vector<BatchRange>{{0, 2}, {2, 3}, {3, 4}, {4, 7}, {7, 8}});
}

TEST_CASE("push batches: no files, no batches; at most one preflight's hashes per batch",
          "[unit][client]") {
  CHECK(cut_batches({}, PushBatching{}).empty());
  const auto files = files_of_sizes(std::vector<std::uint64_t>(25'000, 0));
  const PushBatching batching{
      .max_files = 50'000, .max_bytes = 1, .first_files = 50'000, .first_bytes = 1};
  CHECK(cut_batches(files, batching) ==
        std::vector<BatchRange>{{0, 10'000}, {10'000, 20'000}, {20'000, 25'000}});
  // Limits of 0 count as 1.
  CHECK(cut_batches(files_of_sizes({0, 0}), PushBatching{.max_files = 0, .first_files = 0}) ==
        std::vector<BatchRange>{{0, 1}, {1, 2}});
}

TEST_CASE("push batches: the defaults", "[unit][client]") {
  // 2,000 files of 1 MiB: 16, 32, 64, 128, then 256 MiB batches.
  const auto files = files_of_sizes(std::vector<std::uint64_t>(2000, 1 << 20));
  const auto batches = cut_batches(files, PushBatching{});
  REQUIRE(batches.size() >= 5);
  CHECK(batches[0].size() == 16);
  CHECK(batches[1].size() == 32);
  CHECK(batches[4].size() == 256);
  CHECK(batches.back().end == 2000);
  // Many small files: 64, 128, ... up to 1,000 files a batch.
  const auto small = cut_batches(files_of_sizes(std::vector<std::uint64_t>(10'000, 4096)), {});
  CHECK(small[0].size() == 64);
  CHECK(small[5].size() == 1000);
}

}  // namespace castor::client
