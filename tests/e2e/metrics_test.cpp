// GET /metrics over HTTP: the exposition parses, and the numbers move as requests are made.
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"

namespace castor::e2e {
namespace {

// Every sample of a Prometheus text exposition: "name{labels}" -> value. Fails the test on a line
// that is neither a comment nor "series value".
std::map<std::string, double> parse_samples(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with("#")) {
      continue;
    }
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

std::map<std::string, double> scrape(testing::HttpClient& client) {
  auto response = client.request("GET", "/metrics");
  REQUIRE(response.status == 200);
  CHECK(response.headers.at("Content-Type").starts_with("text/plain; version=0.0.4"));
  return parse_samples(response.body);
}

double value(const std::map<std::string, double>& samples, const std::string& series) {
  auto it = samples.find(series);
  return it == samples.end() ? 0.0 : it->second;
}

// The sum over every series of `family` (all label combinations).
double total(const std::map<std::string, double>& samples, const std::string& family) {
  double sum = 0;
  for (const auto& [series, v] : samples) {
    if (series == family || series.starts_with(family + "{")) {
      sum += v;
    }
  }
  return sum;
}

}  // namespace

TEST_CASE("metrics count requests, bytes, GC runs and database statements", "[metrics]") {
  auto& server = shared_server().server;
  testing::HttpClient client("127.0.0.1", server.port());
  const auto before = scrape(client);
  for (const std::string family :
       {"castor_http_requests_total", "castor_http_request_duration_seconds",
        "castor_http_in_flight_requests", "castor_gc_runs_total",
        "castor_db_query_duration_seconds", "castor_db_pool_connections",
        "process_resident_memory_bytes", "castor_storage_free_bytes"}) {
    auto response = client.request("GET", "/metrics");
    CHECK(response.body.find("# TYPE " + family + " ") != std::string::npos);
  }

  const ObjectParams params{.tenant = testing::unique_name("metrics")};
  const std::string body = testing::random_bytes(1000);
  auto object = upload(client, params, body);
  const std::string id = string_field(object, "id");
  REQUIRE(by_id(client, "GET", id, params.tenant).status == 200);
  REQUIRE(by_id(client, "GET", id, params.tenant).status == 200);
  REQUIRE(by_id(client, "GET", "00000000-0000-4000-8000-000000000000", params.tenant).status ==
          404);
  run_gc(client);

  const auto after = scrape(client);
  const std::string get_200 =
      R"(castor_http_requests_total{method="GET",route="/v1/objects/{id}",status="200"})";
  const std::string get_404 =
      R"(castor_http_requests_total{method="GET",route="/v1/objects/{id}",status="404"})";
  const std::string post_201 =
      R"(castor_http_requests_total{method="POST",route="/v1/objects",status="201"})";
  CHECK(value(after, get_200) - value(before, get_200) == 2);
  CHECK(value(after, get_404) - value(before, get_404) == 1);
  CHECK(value(after, post_201) - value(before, post_201) == 1);
  CHECK(total(after, "castor_http_request_bytes_total") -
            total(before, "castor_http_request_bytes_total") >=
        1000);
  CHECK(total(after, "castor_http_response_bytes_total") -
            total(before, "castor_http_response_bytes_total") >=
        2000);
  const std::string gc_ok = R"(castor_gc_runs_total{result="success"})";
  CHECK(value(after, gc_ok) - value(before, gc_ok) == 1);
  const std::string inserts =
      R"(castor_db_query_duration_seconds_count{operation="object_insert_small"})";
  CHECK(value(after, inserts) - value(before, inserts) == 1);
  // The scrape itself is in flight while it is rendered.
  CHECK(value(after, "castor_http_in_flight_requests") >= 1);
  CHECK(value(after, "process_resident_memory_bytes") > 0);
}

}  // namespace castor::e2e
