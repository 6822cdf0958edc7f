// The admin endpoints: a garbage-collection cycle and an integrity check (fsck) on demand, and S3
// credential management (issue, list, revoke). All need the admin scope, which the server checks
// before they run (Access::kFixedScope in the route table). API keys: keys_handlers.cpp.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "api/http_date.h"
#include "api/json_views.h"
#include "api/routes.h"
#include "api/s3_credential_json.h"
#include "api/server_core.h"

namespace castor::api {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxJsonBody = 64 * 1024;  // bytes
constexpr std::string_view kJson = "application/json";
constexpr std::size_t kMaxFindingsListed = 1000;  // per fsck response; all are counted

// The fsck report as JSON: the counts of the CLI's summary line, whether problems remain, and the
// findings (at most kMaxFindingsListed; `findings_truncated` says when there were more).
std::string fsck_json(const CheckIntegrity::Report& r, const boost::json::array& findings,
                      bool truncated) {
  boost::json::object j;
  j["blobs"] = r.blobs;
  j["files"] = r.files;
  j["missing"] = r.missing;
  j["size_mismatch"] = r.size_mismatch;
  j["orphans"] = r.orphans;
  j["refcount_mismatch"] = r.refcount_mismatch;
  j["repaired"] = r.repaired;
  j["clean"] = r.unresolved() == 0;
  j["findings"] = findings;
  j["findings_truncated"] = truncated;
  return boost::json::serialize(j);
}

boost::json::object finding_json(const CheckIntegrity::Finding& f) {
  boost::json::object j;
  j["kind"] = to_string(f.kind);
  j["storage_class"] = to_string(f.storage_class);
  j["content_hash"] = f.hash.hex();
  j["expected_size"] = f.expected_size;
  j["actual_size"] = f.actual_size;
  j["ref_count"] = f.ref_count;
  j["live_refs"] = f.live_refs;
  j["has_row"] = f.has_row;
  boost::json::array objects;
  for (const ObjectId& id : f.objects) {
    objects.emplace_back(id.to_string());
  }
  j["objects"] = std::move(objects);
  j["repaired"] = f.repaired;
  return j;
}

// Reads a small request body whole (JSON for the admin endpoints); 413 past kMaxJsonBody.
Awaitable<Parsed<std::string>> read_small_body(Connection& c, Exchange& ex) {
  std::string body;
  while (!ex.parser.is_done()) {
    auto [ec, got] = co_await read_body_chunk(c, ex);
    if (ec) {
      co_return body_error(ec);
    }
    if (body.size() + got > kMaxJsonBody) {
      ex.close = true;
      co_return http_error(http::status::payload_too_large, "payload_too_large",
                           "request body over " + std::to_string(kMaxJsonBody) + " bytes");
    }
    body.append(reinterpret_cast<const char*>(c.chunk.data()), got);
  }
  co_return body;
}

}  // namespace

Awaitable<void> handle_gc(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  auto collect = [&] {
    const auto started_at =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    const auto start = std::chrono::steady_clock::now();
    auto report = s.uc().gc.run_once();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    s.uc().metrics.gc_cycle(report ? *report : CollectGarbage::Report{}, took.count(),
                            report.has_value());
    // GET /v1/admin/gc lists it (this process's cycles).
    s.uc().gc_history.record(
        {.started_at = started_at,
         .duration = std::chrono::duration_cast<std::chrono::milliseconds>(took),
         .background = false,
         .report = report ? *report : CollectGarbage::Report{},
         .error = report ? std::nullopt : std::optional<std::string>(report.error().message)});
    return report;
  };
  auto report = co_await s.offload(collect, Pool::kDisk);
  if (!report) {
    co_return co_await s.send_error(c, ex, from_error(report.error()));
  }
  for (const std::string& failure : report->failures) {
    spdlog::warn("gc skipped {}", failure);
  }
  co_await s.send(c, ex, http::status::ok, gc_report_json(*report));
}

Awaitable<void> handle_fsck(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  bool repair = false;
  if (auto r = ex.target.get("repair")) {
    if (*r == "true" || *r == "1") {
      repair = true;
    } else if (*r != "false" && *r != "0") {
      co_return co_await s.send_error(c, ex, bad_request("repair must be true or false"));
    }
  }
  boost::json::array findings;
  bool truncated = false;
  auto check = [&] {
    return s.uc().fsck.run(repair, [&](const CheckIntegrity::Finding& f) {
      if (f.kind == CheckIntegrity::Finding::Kind::kMissing ||
          f.kind == CheckIntegrity::Finding::Kind::kSizeMismatch) {
        spdlog::error("DATA LOSS: fsck found {} content {}/{} used by {} object(s)",
                      to_string(f.kind), to_string(f.storage_class), f.hash.hex(), f.live_refs);
      }
      if (findings.size() < kMaxFindingsListed) {
        findings.push_back(finding_json(f));
      } else {
        truncated = true;
      }
    });
  };
  auto report = co_await s.offload(check);
  if (!report) {
    co_return co_await s.send_error(c, ex, from_error(report.error()));
  }
  spdlog::info("audit: fsck{} run by {}: {} problem(s) left", repair ? " --repair" : "",
               ex.principal->credential, report->unresolved());
  co_await s.send(c, ex, http::status::ok, fsck_json(*report, findings, truncated));
}

Awaitable<void> handle_create_s3_credential(ServerCore& s, Connection& c, Exchange& ex,
                                            const PathParams&) {
  auto body = co_await read_small_body(c, ex);
  if (auto* e = std::get_if<HttpError>(&body)) {
    co_return co_await s.send_error(c, ex, *e);
  }
  auto request = parse_s3_credential_request(std::get<std::string>(body));
  if (!request) {
    co_return co_await s.send_error(c, ex, from_error(request.error()));
  }
  const std::string creator = ex.principal->credential;
  auto create = [&] {
    std::optional<Timestamp> expires_at;
    if (request->expires_in) {
      expires_at = std::chrono::time_point_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now()) +
                   *request->expires_in;
    }
    return s.uc().s3_credentials.create(request->tenant, request->scopes, expires_at,
                                        request->description, creator, request->namespaces);
  };
  auto created = co_await s.offload(create);
  if (!created) {
    co_return co_await s.send_error(c, ex, from_error(created.error()));
  }
  const S3Credential& k = created->credential;
  spdlog::info("audit: s3 credential {} created by {} (tenant={}, scopes=\"{}\", expires={})",
               k.access_key_id, creator, k.tenant.str(), k.scopes.to_string(),
               k.expires_at ? http_params::rfc3339(*k.expires_at) : "never");
  std::string json = s3_credential_json(k, created->secret_key);
  Headers location = one_header("Location", "/v1/admin/s3-credentials/" + k.access_key_id);
  co_await s.send(c, ex, http::status::created, std::move(json), kJson, std::move(location));
}

Awaitable<void> handle_list_s3_credentials(ServerCore& s, Connection& c, Exchange& ex,
                                           const PathParams&) {
  auto list = [&] { return s.uc().s3_credentials.list(); };
  auto all = co_await s.offload(list);
  if (!all) {
    co_return co_await s.send_error(c, ex, from_error(all.error()));
  }
  co_await s.send(c, ex, http::status::ok, s3_credential_list_json(*all));
}

Awaitable<void> handle_revoke_s3_credential(ServerCore& s, Connection& c, Exchange& ex,
                                            const PathParams& p) {
  const std::string id(p.get("id").value_or(""));
  auto revoke = [&] { return s.uc().s3_credentials.revoke(id); };
  auto revoked = co_await s.offload(revoke);
  if (!revoked) {
    co_return co_await s.send_error(c, ex, from_error(revoked.error()));
  }
  if (*revoked) {
    spdlog::info("audit: s3 credential {} revoked by {}", id, ex.principal->credential);
  }
  co_await s.send(c, ex, http::status::no_content);
}

}  // namespace castor::api
