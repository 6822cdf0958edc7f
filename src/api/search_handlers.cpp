// POST /v1/objects/search (docs/SEARCH.md): a tenant's objects by filters, sorted, keyset-paged.
// Authorised on the tenant the body names (tenant_id), else the credential's own; a credential
// for every tenant ('*') must name one.
#include "api/routes.h"
#include "api/search_json.h"
#include "api/server_core.h"

namespace castor::api {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Filters are small (metadata at most 16 KiB): a body past this is refused with 413.
constexpr std::size_t kMaxSearchBody = 64 * 1024;

}  // namespace

Awaitable<void> handle_search(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  auto body = co_await read_bounded_body(c, ex, kMaxSearchBody);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto parsed = parse_search_request(std::get<std::string>(body));
  if (!parsed) {
    co_return co_await s.send_error(c, ex, from_error(parsed.error()));
  }
  if (parsed->tenant) {
    parsed->request.filter.tenant = *parsed->tenant;
  } else if (ex.principal && ex.principal->tenant) {
    parsed->request.filter.tenant = *ex.principal->tenant;
  } else {
    co_return co_await s.send_error(
        c, ex,
        bad_request("tenant_id is required: this credential is valid for every tenant ('*'), so "
                    "name one in the body"));
  }
  // A namespace-restricted credential searches one of its namespaces (tenant-wide: 403).
  const auto& filter = parsed->request.filter;
  auto denied = filter.ns ? s.authorize(ex, filter.tenant, *filter.ns, *ex.route->scope)
                          : s.authorize(ex, &filter.tenant, *ex.route->scope);
  if (denied) {
    co_return co_await s.send_error(c, ex, *denied);
  }
  const SearchObjects::Request request = std::move(parsed->request);
  auto run = [&] { return s.uc().search.search(request); };
  auto page = co_await s.offload(run);
  if (!page) {
    co_return co_await s.send_error(c, ex, from_error(page.error()));
  }
  co_await s.send(c, ex, http::status::ok, search_page_json(*page));
}

}  // namespace castor::api
