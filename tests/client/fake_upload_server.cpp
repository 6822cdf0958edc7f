#include "client/fake_upload_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "support/sha256.h"

namespace castor::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response reply(http::status status, const json::value& body) {
  Response response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.body() = json::serialize(body);
  return response;
}

Response error(http::status status, std::string_view code) {
  return reply(status, json::object{{"error", {{"code", code}, {"message", code}}}});
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> query_of(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    params[std::string(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return params;
}

json::value or_null(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

}  // namespace

struct FakeUploadServer::State {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0)};
  std::thread accept_thread;

  mutable std::mutex mutex;  // guards everything below
  bool stopping = false;
  std::vector<std::thread> connections;
  std::set<int> open_fds;  // shut down by the destructor to end the connection threads
  std::map<std::string, Session> sessions;
  std::uint64_t created = 0;
  Stats stats;
  std::map<std::string, std::string> blobs, objects;
  int expire_after = -1;    // stored parts until the receiving session expires; -1: never
  int expire_every = -1;    // reset value of expire_after after an expiry; -1: once
  int blob_puts_left = -1;  // stored blobs until PUTs fail; -1: never
  bool lose_blobs = false;
  std::vector<std::string> events;

  json::object session_json(const Session& s, bool with_parts) const {
    json::object j{{"upload_id", s.id},
                   {"state", s.state},
                   {"namespace", or_null(s.ns)},
                   {"key", or_null(s.key)},
                   {"storage_class", s.storage_class},
                   {"size_bytes", s.size},
                   {"sha256", s.sha256},
                   {"part_size_hint", 64 << 20},
                   {"max_parts", 10000}};
    if (with_parts) {
      json::array parts;
      for (const auto& [number, part] : s.parts) {
        parts.push_back(json::object{
            {"part_number", number}, {"size_bytes", part.bytes.size()}, {"sha256", part.sha256}});
      }
      j["parts"] = std::move(parts);
    }
    return j;
  }

  Response list(const std::map<std::string, std::string>& query) {
    ++stats.lists;
    std::vector<const Session*> found;
    for (const auto& [id, s] : sessions) {
      auto matches = [&](const char* name, const std::optional<std::string>& value) {
        auto given = query.find(name);
        return given == query.end() || value == given->second;
      };
      if (s.state == "open" && matches("sha256", s.sha256) &&
          matches("storage_class", s.storage_class) && matches("namespace", s.ns) &&
          matches("key", s.key)) {
        found.push_back(&s);
      }
    }
    std::sort(found.begin(), found.end(),
              [](const Session* a, const Session* b) { return a->created > b->created; });
    json::array uploads;
    for (const Session* s : found) {
      uploads.push_back(session_json(*s, false));
    }
    return reply(http::status::ok, json::object{{"uploads", std::move(uploads)}});
  }

  Response create(const Request& request) {
    const json::object body = json::parse(request.body()).as_object();
    Session s;
    s.sha256 = std::string(body.at("sha256").as_string());
    s.size = static_cast<std::uint64_t>(body.at("size_bytes").as_int64());
    if (const auto* v = body.if_contains("storage_class")) {
      s.storage_class = std::string(v->as_string());
    }
    if (const auto* v = body.if_contains("namespace")) {
      s.ns = std::string(v->as_string());
    }
    if (const auto* v = body.if_contains("key")) {
      s.key = std::string(v->as_string());
    }
    ++stats.creates;
    const std::string id = add(std::move(s));
    return reply(http::status::created, session_json(sessions.at(id), true));
  }

  std::string add(Session s) {
    s.created = ++created;
    s.id = "upload-" + std::to_string(s.created);
    const std::string id = s.id;
    sessions[id] = std::move(s);
    return id;
  }

  Response put_part(Session& s, std::uint32_t number, const Request& request) {
    if (s.state != "open") {
      return error(http::status::conflict, "upload_not_open");
    }
    const std::string hash = castor::testing::sha256_hex(request.body());
    if (request["X-Content-SHA256"] != hash) {
      return error(http::status::bad_request, "content_hash_mismatch");
    }
    s.parts[number] = Part{request.body(), hash};
    ++stats.part_puts;
    stats.part_bytes += request.body().size();
    Response response = reply(http::status::ok, json::object{{"part_number", number},
                                                             {"size_bytes", request.body().size()},
                                                             {"sha256", hash}});
    if (expire_after > 0 && --expire_after == 0) {
      sessions.erase(s.id);  // s dangles from here on
      expire_after = expire_every;
    }
    return response;
  }

  Response complete(Session& s, const Request& request) {
    if (s.state == "completed") {
      return reply(http::status::ok, session_json(s, true));
    }
    std::string content;
    std::uint32_t last = 0;
    const json::value body = json::parse(request.body());
    for (const json::value& n : body.as_object().at("parts").as_array()) {
      const auto number = static_cast<std::uint32_t>(n.as_int64());
      if (number <= last || !s.parts.contains(number)) {
        return error(http::status::bad_request, "invalid_parts");
      }
      content += s.parts.at(number).bytes;
      last = number;
    }
    if (content.size() != s.size) {
      return error(http::status::bad_request, "size_mismatch");
    }
    if (castor::testing::sha256_hex(content) != s.sha256) {
      return error(http::status::bad_request, "content_hash_mismatch");
    }
    if (s.key && objects.contains(*s.key)) {
      return error(http::status::conflict, "key_exists");
    }
    blobs[s.sha256] = content;
    if (s.key) {
      objects[*s.key] = s.sha256;
    }
    s.state = "completed";
    s.parts.clear();
    ++stats.completes;
    json::object j = session_json(s, true);
    j[s.ns ? "object" : "blob"] = json::object{{"hash", s.sha256}, {"size_bytes", s.size}};
    return reply(http::status::created, j);
  }

  Response preflight(const Request& request) {
    ++stats.preflights;
    const json::value body = json::parse(request.body());
    const json::array& hashes = body.as_object().at("hashes").as_array();
    events.push_back("preflight " + std::to_string(hashes.size()));
    json::array missing;
    for (const json::value& hash : hashes) {
      if (!blobs.contains(std::string(hash.as_string()))) {
        missing.push_back(hash);
      }
    }
    return reply(http::status::ok, json::object{{"missing", std::move(missing)}});
  }

  Response put_blob(const std::string& hash, const Request& request) {
    events.push_back("put " + hash);
    if (blob_puts_left == 0) {
      return error(http::status::internal_server_error, "injected");
    }
    if (castor::testing::sha256_hex(request.body()) != hash) {
      return error(http::status::bad_request, "content_hash_mismatch");
    }
    if (blobs.contains(hash)) {
      return reply(http::status::ok, json::object{{"hash", hash}});
    }
    blobs[hash] = request.body();
    ++stats.blob_puts;
    stats.blob_bytes += request.body().size();
    if (blob_puts_left > 0) {
      --blob_puts_left;
    }
    return reply(http::status::created, json::object{{"hash", hash}});
  }

  Response create_bundle(const Request& request) {
    const json::value body = json::parse(request.body());
    const json::array& files = body.as_object().at("files").as_array();
    events.push_back("bundle " + std::to_string(files.size()));
    if (lose_blobs) {
      lose_blobs = false;
      blobs.clear();
    }
    for (const json::value& file : files) {
      if (!blobs.contains(std::string(file.as_object().at("hash").as_string()))) {
        return error(http::status::conflict, "missing_blobs");
      }
    }
    ++stats.bundles;
    return reply(http::status::created,
                 json::object{{"id", "bundle-" + std::to_string(stats.bundles)},
                              {"file_count", files.size()}});
  }

  Response post_object(const std::map<std::string, std::string>& query, const Request& request) {
    const std::string key = query.at("key");
    events.push_back("post " + key);
    const std::string hash = castor::testing::sha256_hex(request.body());
    if (request["X-Content-SHA256"] != hash) {
      return error(http::status::bad_request, "content_hash_mismatch");
    }
    if (objects.contains(key)) {
      return error(http::status::conflict, "key_exists");
    }
    objects[key] = hash;
    blobs[hash] = request.body();
    ++stats.object_posts;
    return reply(http::status::created, json::object{{"key", key}, {"hash", hash}});
  }

  Response delete_key(std::string_view rest) {
    for (int i = 0; i < 2; ++i) {
      rest = rest.substr(rest.find('/') + 1);
    }
    const std::string key = percent_decode(rest);
    events.push_back("delete " + key);
    if (objects.erase(key) == 0) {
      return error(http::status::not_found, "not_found");
    }
    return Response{http::status::no_content, 11};
  }

  Response head_key(std::string_view rest) {
    // {ns}/{tenant}/{key...}
    for (int i = 0; i < 2; ++i) {
      rest = rest.substr(rest.find('/') + 1);
    }
    auto found = objects.find(percent_decode(rest));
    events.push_back("head " + percent_decode(rest));
    if (found == objects.end()) {
      return error(http::status::not_found, "not_found");
    }
    Response response{http::status::ok, 11};
    response.set(http::field::etag, "\"" + found->second + "\"");
    return response;
  }

  Response handle(const Request& request) {
    std::lock_guard lock(mutex);
    const std::string_view target(request.target().data(), request.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    const auto query =
        query_of(path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view());
    const auto method = request.method();
    constexpr std::string_view kByKey = "/v1/objects/by-key/";
    if (path.starts_with(kByKey) && method == http::verb::head) {
      return head_key(path.substr(kByKey.size()));
    }
    if (path.starts_with(kByKey) && method == http::verb::delete_) {
      return delete_key(path.substr(kByKey.size()));
    }
    constexpr std::string_view kBlobs = "/v1/blobs/";
    if (path == "/v1/blobs/preflight" && method == http::verb::post) {
      return preflight(request);
    }
    if (path.starts_with(kBlobs) && method == http::verb::put) {
      return put_blob(std::string(path.substr(kBlobs.size())), request);
    }
    if (path == "/v1/bundles" && method == http::verb::post) {
      return create_bundle(request);
    }
    if (path == "/v1/objects" && method == http::verb::post) {
      return post_object(query, request);
    }
    if (path == "/v1/uploads") {
      return method == http::verb::get ? list(query) : create(request);
    }
    constexpr std::string_view kUploads = "/v1/uploads/";
    if (!path.starts_with(kUploads)) {
      return error(http::status::not_found, "no_route");
    }
    std::string_view rest = path.substr(kUploads.size());
    const std::string id(rest.substr(0, rest.find('/')));
    rest = rest.substr(std::min(rest.size(), id.size() + 1));
    auto found = sessions.find(id);
    if (found == sessions.end()) {
      return error(http::status::not_found, "not_found");
    }
    Session& s = found->second;
    if (rest.empty() && method == http::verb::get) {
      ++stats.gets;
      return reply(http::status::ok, session_json(s, true));
    }
    if (rest.empty() && method == http::verb::delete_) {
      ++stats.aborts;
      sessions.erase(found);
      return Response{http::status::no_content, 11};
    }
    if (rest == "complete" && method == http::verb::post) {
      return complete(s, request);
    }
    if (rest.starts_with("parts/") && method == http::verb::put) {
      return put_part(s, static_cast<std::uint32_t>(std::stoul(std::string(rest.substr(6)))),
                      request);
    }
    return error(http::status::method_not_allowed, "method_not_allowed");
  }

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      http::read_header(socket, buffer, parser, ec);
      if (ec) {
        break;
      }
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> proceed{http::status::continue_, 11};
        http::write(socket, proceed, ec);
      }
      http::read(socket, buffer, parser, ec);
      if (ec) {
        break;
      }
      Response response;
      try {
        response = handle(parser.get());
      } catch (const std::exception& e) {  // a malformed request: the client under test erred
        response = error(http::status::internal_server_error, e.what());
      }
      response.keep_alive(parser.get().keep_alive());
      if (parser.get().method() != http::verb::head) {
        response.prepare_payload();
      }
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) {
        break;
      }
    }
    std::lock_guard lock(mutex);
    open_fds.erase(socket.native_handle());
  }

  void accept_loop() {
    for (;;) {
      tcp::socket socket(ioc);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      std::lock_guard lock(mutex);
      if (stopping) {
        return;
      }
      if (ec) {
        continue;
      }
      open_fds.insert(socket.native_handle());
      connections.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }
};

FakeUploadServer::FakeUploadServer() : state_(std::make_unique<State>()) {
  state_->accept_thread = std::thread([this] { state_->accept_loop(); });
}

FakeUploadServer::~FakeUploadServer() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    for (const int fd : state_->open_fds) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }
  // Wake the blocked accept() with one last connection.
  net::io_context ioc;
  tcp::socket wake(ioc);
  beast::error_code ec;
  wake.connect(state_->acceptor.local_endpoint(), ec);
  state_->accept_thread.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(state_->mutex);
    connections.swap(state_->connections);
  }
  for (std::thread& thread : connections) {
    thread.join();
  }
}

std::string FakeUploadServer::url() const {
  return "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port());
}

std::string FakeUploadServer::add_session(Session session) {
  std::lock_guard lock(state_->mutex);
  return state_->add(std::move(session));
}

std::optional<FakeUploadServer::Session> FakeUploadServer::session(const std::string& id) const {
  std::lock_guard lock(state_->mutex);
  auto found = state_->sessions.find(id);
  return found == state_->sessions.end() ? std::nullopt : std::optional(found->second);
}

std::vector<FakeUploadServer::Session> FakeUploadServer::sessions() const {
  std::lock_guard lock(state_->mutex);
  std::vector<Session> all;
  for (const auto& [id, s] : state_->sessions) {
    all.push_back(s);
  }
  return all;
}

FakeUploadServer::Stats FakeUploadServer::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::map<std::string, std::string> FakeUploadServer::blobs() const {
  std::lock_guard lock(state_->mutex);
  return state_->blobs;
}

std::map<std::string, std::string> FakeUploadServer::objects() const {
  std::lock_guard lock(state_->mutex);
  return state_->objects;
}

void FakeUploadServer::set_object(const std::string& key, const std::string& sha256) {
  std::lock_guard lock(state_->mutex);
  state_->objects[key] = sha256;
}

void FakeUploadServer::add_blob(const std::string& content) {
  std::lock_guard lock(state_->mutex);
  state_->blobs[castor::testing::sha256_hex(content)] = content;
}

std::vector<std::string> FakeUploadServer::events() const {
  std::lock_guard lock(state_->mutex);
  return state_->events;
}

void FakeUploadServer::fail_blob_puts_after(int n) {
  std::lock_guard lock(state_->mutex);
  state_->blob_puts_left = n;
}

void FakeUploadServer::lose_blobs_at_next_bundle() {
  std::lock_guard lock(state_->mutex);
  state_->lose_blobs = true;
}

void FakeUploadServer::expire_after_parts(int n, bool repeat) {
  std::lock_guard lock(state_->mutex);
  state_->expire_after = n;
  state_->expire_every = repeat ? n : -1;
}

}  // namespace castor::client
