// Bucket names for CreateBucket: Amazon S3's naming rules for general purpose buckets, castor's
// namespace shape, and the names the native API's paths reserve.
#include "domain/bucket.h"

#include <string>

#include <catch2/catch.hpp>

namespace castor {
namespace {

void require_refused(const std::string& name) {
  INFO("name: " << name);
  auto s = check_new_bucket_name(name);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kInvalidArgument);
  CHECK(s.error().reason == "InvalidBucketName");
}

}  // namespace

TEST_CASE("bucket names that S3 and castor both accept", "[unit][s3][buckets]") {
  for (const char* name :
       {"abc", "my-bucket", "my.bucket.2024", "0-9", "a.b-c.d", "1bucket2", "192.168.5.4a", "1.2.3",
        "1.2.3.4.5", "xn-abc", "abc-s3alia", "sthree", "console2", "metrics-eu"}) {
    INFO("name: " << name);
    CHECK(check_new_bucket_name(name));
  }
  CHECK(check_new_bucket_name(std::string(63, 'a')));
  CHECK(check_new_bucket_name("a" + std::string(61, '-') + "z"));
}

TEST_CASE("bucket names S3 refuses", "[unit][s3][buckets]") {
  // Length.
  require_refused("");
  require_refused("ab");
  require_refused(std::string(64, 'a'));
  // Characters.
  require_refused("My-Bucket");
  require_refused("my_bucket");  // a valid castor namespace, but not an S3 bucket name
  require_refused("my bucket");
  require_refused("bucket/x");
  require_refused("caf\xC3\xA9");
  // First and last characters.
  require_refused("-abc");
  require_refused(".abc");
  require_refused("abc-");
  require_refused("abc.");
  // Adjacent periods; IPv4 form.
  require_refused("a..b");
  require_refused("192.168.5.4");
  require_refused("1.2.3.4");
  require_refused("999.999.999.999");
  // Reserved prefixes and suffixes.
  require_refused("xn--abc");
  require_refused("sthree-abc");
  require_refused("amzn-s3-demo-bucket");
  require_refused("abc-s3alias");
  require_refused("abc--ol-s3");
  require_refused("abc.mrap");
  require_refused("abc--x-s3");
  require_refused("abc--table-s3");
}

TEST_CASE("bucket names the native API's paths use are reserved", "[unit][s3][buckets]") {
  for (const char* name : {"health", "ready", "metrics", "console", "openapi.json"}) {
    require_refused(name);
    CHECK(is_reserved_bucket_name(name));
  }
  CHECK(is_reserved_bucket_name("v1"));  // refused by its length already
  require_refused("v1");
  CHECK_FALSE(is_reserved_bucket_name("v2"));
  CHECK_FALSE(is_reserved_bucket_name("healthy"));
  auto s = check_new_bucket_name("metrics");
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find("reserved") != std::string::npos);
}

}  // namespace castor
