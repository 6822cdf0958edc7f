// GET/HEAD /console and /console/...: the web console's files (docs/CONSOLE.md).
#include <optional>
#include <string>

#include "api/conditional.h"
#include "api/console_assets.h"
#include "api/routes.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

// The console runs only its own scripts and styles, talks only to its own origin, and is never
// framed; server strings reach the page only as text (docs/CONSOLE.md, "Security").
constexpr std::string_view kConsoleCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'";

Headers console_headers() {
  Headers h;
  h.emplace_back("Content-Security-Policy", std::string(kConsoleCsp));
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  return h;
}

}  // namespace

Awaitable<void> handle_console(ServerCore& s, Connection& c, Exchange& ex, const PathParams& p) {
  const std::optional<std::string_view> rest = p.get("rest");
  if (!rest) {  // "/console": the app's relative asset URLs need the trailing slash
    Headers h = console_headers();
    h.emplace_back("Location", "/console/");
    const std::string_view type = "text/plain; charset=utf-8";
    co_return co_await s.send(c, ex, http::status::moved_permanently, std::string(), type,
                              std::move(h));
  }
  // Hashed assets are files; every other path is a view of the single-page app: index.html.
  const bool asset = rest->starts_with("assets/");
  const std::string path = asset ? std::string(*rest) : std::string("index.html");
  const std::string dir = s.options().console_dir;
  std::optional<ConsoleFile> file;
  if (dir.empty()) {
    file = find_console_file("", path);
  } else {
    auto read = [&] { return find_console_file(dir, path); };
    file = co_await s.offload(read, Pool::kDisk);
  }
  if (!file) {
    const bool built = !dir.empty() || !embedded_console_assets().empty();
    HttpError e = built ? http_error(http::status::not_found, "not_found", "no such console file")
                        : http_error(http::status::not_found, "console_not_built",
                                     "this castor binary was built without the web console "
                                     "(scripts/run builds it: docs/CONSOLE.md)");
    co_return co_await s.send_error(c, ex, e);
  }
  Headers h = console_headers();
  h.emplace_back("ETag", file->etag);
  // Asset names carry their content hash: cached for a year. index.html names the current ones:
  // revalidated every time (its ETag makes that a 304).
  h.emplace_back("Cache-Control", asset ? "public, max-age=31536000, immutable" : "no-cache");
  const std::string_view tag = std::string_view(file->etag).substr(1, file->etag.size() - 2);
  const auto inm = ex.header("If-None-Match");
  const bool unchanged = inm && http_params::etag_list_matches(*inm, tag, /*strong=*/false);
  const http::status status = unchanged ? http::status::not_modified : http::status::ok;
  std::string body = unchanged ? std::string() : std::move(file->body);
  const std::string_view type = console_content_type(path);
  co_await s.send(c, ex, status, std::move(body), type, std::move(h));
}

}  // namespace castor::api
