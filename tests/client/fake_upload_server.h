#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// An in-memory stand-in for castor's upload-session API (docs/BLOBS_AND_BUNDLES.md, "Upload
// sessions"), its blob API (preflight, PUT), bundle creation (POST /v1/bundles: every hash must be
// held; the Merkle root is not checked) and keyed objects (POST /v1/objects, HEAD and DELETE by
// key), served over real HTTP on 127.0.0.1 so that castorctl's uploaders and push pipeline run
// through libcurl exactly as against castor. One thread per connection, state behind one mutex.
// No authentication, no limits, tenant ignored: for unit tests only.
namespace castor::client {

class FakeUploadServer {
 public:
  struct Part {
    std::string bytes;
    std::string sha256;
  };
  struct Session {
    std::string id{};
    std::string state = "open";
    std::string storage_class = "hot";
    std::optional<std::string> ns{};
    std::optional<std::string> key{};
    std::uint64_t size = 0;
    std::string sha256{};
    std::map<std::uint32_t, Part> parts{};
    std::uint64_t created = 0;  // creation order (lists are newest first)
  };
  // What the server saw, by endpoint.
  struct Stats {
    int lists = 0;
    int gets = 0;
    int creates = 0;
    int part_puts = 0;  // parts stored
    int completes = 0;  // completions that stored (201)
    int aborts = 0;
    std::uint64_t part_bytes = 0;  // body bytes of the stored parts
    int preflights = 0;
    int blob_puts = 0;             // PUT /v1/blobs that stored (201)
    std::uint64_t blob_bytes = 0;  // their body bytes
    int bundles = 0;               // bundles created
    int object_posts = 0;          // POST /v1/objects that stored
  };

  FakeUploadServer();  // listening on an ephemeral port
  ~FakeUploadServer();
  FakeUploadServer(const FakeUploadServer&) = delete;
  FakeUploadServer& operator=(const FakeUploadServer&) = delete;

  std::string url() const;

  // Adds an open session as if an earlier push had left it (`id` and `created` are assigned).
  std::string add_session(Session session);
  std::optional<Session> session(const std::string& id) const;
  std::vector<Session> sessions() const;
  Stats stats() const;
  // What completions stored: blob contents by SHA-256, objects' content hashes by key.
  std::map<std::string, std::string> blobs() const;
  std::map<std::string, std::string> objects() const;
  void set_object(const std::string& key, const std::string& sha256);
  // Stores `content` as a blob the tenant holds (as if pushed before).
  void add_blob(const std::string& content);

  // The requests of the blob, bundle and object APIs in the order they were answered:
  // "preflight <number of hashes>", "put <hash>", "bundle <number of files>", "post <key>",
  // "head <key>", "delete <key>".
  std::vector<std::string> events() const;

  // Faults. After `n` more stored blobs, every PUT /v1/blobs answers 500.
  void fail_blob_puts_after(int n);
  // The next bundle creation finds the blobs gone (collected): they are forgotten and it answers
  // 409 missing_blobs.
  void lose_blobs_at_next_bundle();
  // After `n` more stored parts, every part PUT (and completion) of that session answers
  // 404 as if it had expired (the session is forgotten); `repeat`: so does every new session
  // after each of its first `n` parts.
  void expire_after_parts(int n, bool repeat = false);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace castor::client
