#include "client/progress_format.h"

#include <catch2/catch.hpp>

#include "client/size_parse.h"

namespace castor::client {

TEST_CASE("progress: byte counts in binary units", "[unit][client]") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(1023) == "1023 B");
  CHECK(format_bytes(1024) == "1.0 KiB");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(1048575) == "1023.9 KiB");  // rounded down, never "1024.0 KiB"
  CHECK(format_bytes(64ull << 20) == "64.0 MiB");
  CHECK(format_bytes(3ull << 30) == "3.0 GiB");
  CHECK(format_bytes(~0ull) == "16.0 EiB");  // 2^64 - 1 rounds to 2^64 as a double
}

TEST_CASE("progress: rate and ETA", "[unit][client]") {
  CHECK(format_rate(10 << 20, 2.0) == "5.0 MiB/s");
  CHECK(format_rate(100, 0) == "-");
  CHECK(format_eta(std::nullopt) == "--:--");
  CHECK(format_eta(0.0) == "0:00");
  CHECK(format_eta(0.2) == "0:01");
  CHECK(format_eta(61) == "1:01");
  CHECK(format_eta(3600) == "1:00:00");
  CHECK(format_eta(3723) == "1:02:03");
  CHECK(format_eta(-1) == "--:--");
  CHECK(format_eta(1e9) == "--:--");

  ProgressSnapshot half{.phase = "uploading",
                        .files_done = 1,
                        .files_total = 2,
                        .bytes_done = 100,
                        .bytes_total = 200,
                        .elapsed_seconds = 10};
  REQUIRE(eta_seconds(half));
  CHECK(*eta_seconds(half) == Approx(10.0));
  half.bytes_done = 0;
  CHECK_FALSE(eta_seconds(half));
}

TEST_CASE("progress: the bar line and the summary line", "[unit][client]") {
  const ProgressSnapshot snapshot{.phase = "hashing",
                                  .files_done = 42,
                                  .files_total = 203,
                                  .bytes_done = 1 << 20,
                                  .bytes_total = 4 << 20,
                                  .elapsed_seconds = 1.0};
  const std::string line = render_bar(snapshot, 100);
  CHECK(line.size() <= 100);
  CHECK(line.starts_with("hashing    ["));
  CHECK(line.find("=======>") != std::string::npos);  // a quarter of a 30-wide bar
  CHECK(line.find("42/203 files  1.0 MiB/4.0 MiB  1.0 MiB/s  ETA 0:03") != std::string::npos);
  CHECK(render_bar(snapshot, 40).size() <= 40);  // no bar, truncated
  CHECK(render_bar(snapshot, 40).find('[') == std::string::npos);

  ProgressSnapshot done = snapshot;
  done.files_done = 203;
  done.bytes_done = done.bytes_total;
  CHECK(render_bar(done, 100).find("[==============================]") != std::string::npos);
  CHECK(render_summary(done) == "hashing: 203 files, 4.0 MiB in 1.0 s (4.0 MiB/s)");

  const ProgressSnapshot empty{.phase = "uploading",
                               .files_done = 0,
                               .files_total = 0,
                               .bytes_done = 0,
                               .bytes_total = 0,
                               .elapsed_seconds = 0};
  CHECK(render_bar(empty, 100).find("[==============================]") != std::string::npos);

  // Totals that may still grow (a push's uploads while batches are being hashed): '+', no ETA.
  ProgressSnapshot growing = snapshot;
  growing.phase = "uploading";
  growing.totals_final = false;
  CHECK_FALSE(eta_seconds(growing));
  CHECK(render_bar(growing, 100).find("42/203+ files  1.0 MiB/4.0 MiB+  1.0 MiB/s  ETA --:--") !=
        std::string::npos);
  ProgressSnapshot nothing_yet = empty;
  nothing_yet.totals_final = false;
  CHECK(render_bar(nothing_yet, 100).find("[>                             ]  0/0+ files") !=
        std::string::npos);
}

TEST_CASE("sizes on the command line", "[unit][client]") {
  CHECK(parse_size("1048576") == 1048576u);
  CHECK(parse_size("64MiB") == 64ull << 20);
  CHECK(parse_size("64m") == 64ull << 20);
  CHECK(parse_size("64MB") == 64'000'000u);
  CHECK(parse_size("1.5GiB") == 3ull << 29);
  CHECK(parse_size("10B") == 10u);
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("MiB"));
  CHECK_FALSE(parse_size("12 parsecs"));
  CHECK_FALSE(parse_size("-5"));
  CHECK_FALSE(parse_size("99999999TiB"));
}

}  // namespace castor::client
