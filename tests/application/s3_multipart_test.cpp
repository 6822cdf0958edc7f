// S3 multipart uploads over upload sessions (CreateUpload with s3, StoreUploadPart with digests,
// CompleteUpload::run_s3, CopyUploadPart, ReadUploads::list_s3) on the in-memory fakes.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "application/download_object.h"
#include "application/uploads/abort_upload.h"
#include "application/uploads/complete_upload.h"
#include "application/uploads/copy_upload_part.h"
#include "application/uploads/create_upload.h"
#include "application/uploads/read_uploads.h"
#include "application/uploads/store_upload_part.h"
#include "domain/hex.h"
#include "fakes/fake_store.h"
#include "infrastructure/checksummers.h"

namespace castor {
namespace {

using std::chrono::seconds;
using testing::sha256_of;

const TenantId kA = *TenantId::parse("tenant-a");
const Namespace kNs = *Namespace::parse("bucket");
// Parts of at least 4 bytes but the last.
const UploadLimits kLimits{.max_size = 1 << 20,
                           .ttl = seconds(60),
                           .max_open = 100,
                           .blob_grace = seconds(60),
                           .part_size_hint = 1024,
                           .s3_min_part_size = 4};

ObjectKey key(std::string_view k) { return *ObjectKey::parse(k); }

// A native session for key `k` of kNs (s3 false), or an S3 one without a key (invalid).
CreateUpload::Request other_request(std::optional<std::string_view> k, bool s3) {
  return {.tenant = kA,
          .ns = kNs,
          .key = k ? std::optional(key(*k)) : std::nullopt,
          .storage_class = StorageClass::kHot,
          .size_bytes = {},
          .sha256 = {},
          .content_type = {},
          .s3 = s3,
          .attributes = {}};
}

S3UploadQuery query(std::string prefix = "", std::optional<std::string> delimiter = {},
                    std::size_t max = 1000) {
  return {.tenant = kA,
          .ns = kNs,
          .prefix = std::move(prefix),
          .key_marker = "",
          .upload_id_marker = {},
          .delimiter = std::move(delimiter),
          .max_uploads = max};
}

struct World : testing::FakeStore {
  Checksummers checksummers;
  CreateUpload create{metadata, clock, ids, kLimits};
  StoreUploadPart parts{metadata, blobs, clock, ids, kLimits};
  CompleteUpload complete{metadata, blobs, clock, ids, kLimits, nullptr, &checksummers};
  ReadUploads read{metadata};
  AbortUpload abort{metadata};
  DownloadObject download{metadata, blobs};
  CopyUploadPart copy_part{download, parts, checksummers};

  UploadSession open(std::string_view k, ObjectAttributes attributes = {}) {
    auto s = create.run({.tenant = kA,
                         .ns = kNs,
                         .key = key(k),
                         .storage_class = StorageClass::kHot,
                         .size_bytes = {},
                         .sha256 = {},
                         .content_type = std::string("text/plain"),
                         .s3 = true,
                         .attributes = std::move(attributes)});
    REQUIRE(s);
    return *s;
  }

  std::string md5_hex(std::string_view content) {
    auto md5 = *checksummers.create(ChecksumAlgorithm::kMd5);
    md5->update(content);
    return to_hex(md5->digest());
  }

  // UploadPart as the S3 handler does it: the MD5 computed beside the write.
  Result<UploadPart> put_part(const UploadSession& s, std::uint32_t n, std::string_view content,
                              bool s3 = true) {
    auto up = parts.begin({.tenant = kA, .upload = s.id(), .number = n, .expected = {}, .s3 = s3},
                          content.size());
    if (!up) {
      return std::move(up).error();
    }
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    (*up)->set_digests(md5_hex(content), {});
    return parts.commit(**up);
  }

  std::string read_all(const Object& object) {
    auto d = download.by_id(object.tenant(), object.id(), true);
    REQUIRE(d);
    std::string out(d->content->size(), '\0');
    auto n = d->content->read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
    REQUIRE(n);
    out.resize(*n);
    return out;
  }

  // The multipart ETag of `contents`, computed independently of s3_multipart.cpp.
  std::string etag_of(const std::vector<std::string>& contents) {
    auto md5 = *checksummers.create(ChecksumAlgorithm::kMd5);
    for (const auto& c : contents) {
      auto part = *checksummers.create(ChecksumAlgorithm::kMd5);
      part->update(c);
      const auto digest = part->digest();
      md5->update(digest.data(), digest.size());
    }
    return to_hex(md5->digest()) + "-" + std::to_string(contents.size());
  }
};

CompleteUpload::S3Completion listing(std::vector<S3ListedPart> parts, WritePolicy policy = {}) {
  policy.mode = WritePolicy::Mode::kReplace;
  return {.parts = std::move(parts), .policy = std::move(policy)};
}

}  // namespace

TEST_CASE("an S3 multipart upload completes into an object with the multipart ETag", "[unit][s3]") {
  World w;
  ObjectAttributes attributes;
  attributes.metadata = {{"colour", "\"blue\""}};
  UploadSession s = w.open("dir/big.bin", attributes);
  auto p1 = w.put_part(s, 1, "aaaa");
  auto p2 = w.put_part(s, 2, "bbbb");
  auto p3 = w.put_part(s, 3, "cc");
  auto stray = w.put_part(s, 4, "zzzz");  // uploaded but not listed: dropped
  REQUIRE((p1 && p2 && p3 && stray));
  CHECK(p1->md5 == w.md5_hex("aaaa"));
  CHECK(p1->uploaded_at == w.clock.now());

  auto done = w.complete.run_s3(kA, s.id(),
                                listing({{1, "\"" + p1->md5 + "\""}, {2, p2->md5}, {3, p3->md5}}));
  REQUIRE(done);
  REQUIRE(done->created);
  REQUIRE(done->object);
  const Object& o = *done->object;
  CHECK(o.key() == key("dir/big.bin"));
  CHECK(o.etag() == w.etag_of({"aaaa", "bbbb", "cc"}));
  CHECK(*o.content_hash() == sha256_of("aaaabbbbcc"));
  CHECK(o.attributes().metadata == attributes.metadata);
  CHECK(o.content_type() == "text/plain");
  CHECK(w.read_all(o) == "aaaabbbbcc");
  auto found = w.download.by_key(kNs, kA, key("dir/big.bin"), false);
  REQUIRE(found);
  CHECK(found->object.id() == o.id());
  // The stray part's reference went with the session's part rows.
  auto stray_blob = w.metadata.blob(StorageClass::kHot, sha256_of("zzzz"));
  CHECK((!stray_blob || stray_blob->ref_count() == 0));

  // A retried Complete answers the same object, whatever it lists.
  auto again = w.complete.run_s3(kA, s.id(), listing({{1, "nonsense"}}));
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->object->id() == o.id());
  CHECK(again->object->etag() == o.etag());
}

TEST_CASE("S3 completion checks the listed parts", "[unit][s3]") {
  World w;
  UploadSession s = w.open("k");
  auto p1 = w.put_part(s, 1, "aaa");  // under the 4-byte minimum
  auto p2 = w.put_part(s, 2, "bbbb");
  REQUIRE((p1 && p2));
  auto reason = [&](CompleteUpload::S3Completion c) {
    auto r = w.complete.run_s3(kA, s.id(), std::move(c));
    REQUIRE_FALSE(r);
    return r.error().reason;
  };
  CHECK(reason(listing({{1, p1->md5}, {2, p2->md5}})) == "EntityTooSmall");
  CHECK(reason(listing({{2, p2->md5}, {1, p1->md5}})) == "InvalidPartOrder");
  CHECK(reason(listing({{2, p1->md5}})) == "InvalidPart");
  CHECK(reason(listing({{3, p2->md5}})) == "InvalidPart");
  // Nothing changed: the session is open with both parts, and completes with part 2 alone.
  auto view = w.read.get(kA, s.id());
  REQUIRE(view);
  CHECK(view->session.state() == UploadSession::State::kOpen);
  CHECK(view->parts.size() == 2);
  auto done = w.complete.run_s3(kA, s.id(), listing({{2, p2->md5}}));
  REQUIRE(done);
  CHECK(w.read_all(*done->object) == "bbbb");
  CHECK(done->object->etag() == w.etag_of({"bbbb"}));
}

TEST_CASE("S3 and native sessions do not mix", "[unit][s3]") {
  World w;
  UploadSession s = w.open("k");
  auto native_part = w.put_part(s, 1, "aaaa", /*s3=*/false);
  REQUIRE_FALSE(native_part);
  CHECK(native_part.error().code == ErrorCode::kNotFound);
  REQUIRE(w.put_part(s, 1, "aaaa"));
  auto native_complete = w.complete.run(kA, s.id(), {});
  REQUIRE_FALSE(native_complete);
  CHECK(native_complete.error().code == ErrorCode::kNotFound);

  auto native = w.create.run(other_request("n", false));
  REQUIRE(native);
  auto s3_complete = w.complete.run_s3(kA, native->id(), listing({{1, "x"}}));
  REQUIRE_FALSE(s3_complete);
  CHECK(s3_complete.error().code == ErrorCode::kNotFound);
  // An S3 session needs a key.
  auto keyless = w.create.run(other_request(std::nullopt, true));
  CHECK_FALSE(keyless);
}

TEST_CASE("Complete claims the key under the write policy, inside its transaction", "[unit][s3]") {
  World w;
  const Object old = w.put(kNs, kA, "k", "old content");
  UploadSession s = w.open("k");
  auto p1 = w.put_part(s, 1, "new!");
  REQUIRE(p1);

  WritePolicy if_none_match;
  if_none_match.if_none_match_any = true;
  auto refused = w.complete.run_s3(kA, s.id(), listing({{1, p1->md5}}, if_none_match));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kFailedPrecondition);
  CHECK(refused.error().reason == "PreconditionFailed");
  // The session stays open and the old object in place.
  CHECK(w.read.get(kA, s.id())->session.state() == UploadSession::State::kOpen);
  CHECK(w.download.by_key(kNs, kA, key("k"), false)->object.id() == old.id());

  WritePolicy if_match;
  if_match.if_match = "\"not-the-etag\"";
  auto mismatch = w.complete.run_s3(kA, s.id(), listing({{1, p1->md5}}, if_match));
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().reason == "PreconditionFailed");

  WritePolicy missing;
  missing.if_match = "*";
  UploadSession other = w.open("absent");
  auto p = w.put_part(other, 1, "xyz");
  REQUIRE(p);
  auto no_key = w.complete.run_s3(kA, other.id(), listing({{1, p->md5}}, missing));
  REQUIRE_FALSE(no_key);
  CHECK(no_key.error().reason == "NoSuchKey");

  if_match.if_match = old.etag();
  auto replaced = w.complete.run_s3(kA, s.id(), listing({{1, p1->md5}}, if_match));
  REQUIRE(replaced);
  auto now = w.download.by_key(kNs, kA, key("k"), false);
  REQUIRE(now);
  CHECK(now->object.id() == replaced->object->id());
  CHECK(w.read_all(now->object) == "new!");
  CHECK_FALSE(w.download.by_id(kA, old.id(), false));
}

TEST_CASE("UploadPartCopy stores a range of an object as a part", "[unit][s3]") {
  World w;
  const Object source = w.put(kNs, kA, "src", "0123456789");
  UploadSession s = w.open("dst");
  CopyUploadPart::Request r{
      .part = {.tenant = kA, .upload = s.id(), .number = 1, .expected = {}, .s3 = true},
      .source_ns = kNs,
      .source_key = key("src"),
      .range = std::pair<std::uint64_t, std::uint64_t>(2, 5),
      .check_source = {}};
  auto part = w.copy_part.run(r);
  REQUIRE(part);
  CHECK(part->hash == sha256_of("2345"));
  CHECK(part->size_bytes == 4);
  CHECK(part->md5 == w.md5_hex("2345"));

  r.part.number = 2;
  r.range.reset();  // the whole object
  auto whole = w.copy_part.run(r);
  REQUIRE(whole);
  CHECK(whole->md5 == w.md5_hex("0123456789"));

  r.range = std::pair<std::uint64_t, std::uint64_t>(5, 10);  // past the end
  auto out_of_range = w.copy_part.run(r);
  REQUIRE_FALSE(out_of_range);
  CHECK(out_of_range.error().code == ErrorCode::kInvalidArgument);

  r.range.reset();
  r.check_source = [](const Object&) -> Status { return precondition_failed("no"); };
  CHECK(w.copy_part.run(r).error().reason == "PreconditionFailed");
  r.check_source = {};

  r.source_key = key("missing");
  auto missing = w.copy_part.run(r);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(missing.error().reason.empty());

  r.source_key = key("src");
  r.part.upload = *UploadId::parse("00000000-0000-4000-8000-00000000ffff");
  auto no_upload = w.copy_part.run(r);
  REQUIRE_FALSE(no_upload);
  CHECK(no_upload.error().reason == "NoSuchUpload");

  auto done = w.complete.run_s3(kA, s.id(), listing({{1, part->md5}, {2, whole->md5}}));
  REQUIRE(done);
  CHECK(w.read_all(*done->object) == "23450123456789");
  CHECK(w.read_all(source) == "0123456789");
}

TEST_CASE("ListMultipartUploads: order, markers, prefix, delimiter, truncation", "[unit][s3]") {
  World w;
  std::vector<UploadSession> sessions;
  for (const char* k : {"b", "a/1", "a/2", "c", "b"}) {
    sessions.push_back(w.open(k));
  }
  // A native session with a key in the bucket is not listed.
  REQUIRE(w.create.run(other_request("a/0", false)));
  auto keys = [](const S3UploadListing& l) {
    std::vector<std::string> out;
    for (const auto& s : l.uploads) {
      out.push_back(s.fields().key->str());
    }
    return out;
  };
  S3UploadQuery q = query();
  auto all = w.read.list_s3(q);
  REQUIRE(all);
  CHECK(keys(*all) == std::vector<std::string>{"a/1", "a/2", "b", "b", "c"});
  CHECK_FALSE(all->truncated);
  // The two "b" uploads in upload-id order.
  CHECK(all->uploads[2].id().to_string() < all->uploads[3].id().to_string());

  q.max_uploads = 3;
  auto page = w.read.list_s3(q);
  REQUIRE(page);
  CHECK(keys(*page) == std::vector<std::string>{"a/1", "a/2", "b"});
  CHECK(page->truncated);
  CHECK(page->next_key_marker == "b");
  CHECK(page->next_upload_id_marker == all->uploads[2].id().to_string());
  q.key_marker = page->next_key_marker;
  q.upload_id_marker = *UploadId::parse(page->next_upload_id_marker);
  auto rest = w.read.list_s3(q);
  REQUIRE(rest);
  CHECK(keys(*rest) == std::vector<std::string>{"b", "c"});
  CHECK_FALSE(rest->truncated);

  S3UploadQuery folded = query("", "/", 1);
  auto first = w.read.list_s3(folded);
  REQUIRE(first);
  CHECK(first->uploads.empty());
  CHECK(first->common_prefixes == std::vector<std::string>{"a/"});
  CHECK(first->truncated);
  CHECK(first->next_key_marker == "a/");
  folded.key_marker = "a/";
  folded.max_uploads = 10;
  auto second = w.read.list_s3(folded);
  REQUIRE(second);
  CHECK(keys(*second) == std::vector<std::string>{"b", "b", "c"});
  CHECK(second->common_prefixes.empty());

  S3UploadQuery prefixed = query("a/");
  CHECK(keys(*w.read.list_s3(prefixed)) == std::vector<std::string>{"a/1", "a/2"});

  // Aborted and completed uploads are not listed.
  REQUIRE(w.abort.run(kA, sessions[1].id()));
  auto p = w.put_part(sessions[3], 1, "x");
  REQUIRE(p);
  REQUIRE(w.complete.run_s3(kA, sessions[3].id(), listing({{1, p->md5}})));
  CHECK(keys(*w.read.list_s3(query())) == std::vector<std::string>{"a/2", "b", "b"});
}

}  // namespace castor
