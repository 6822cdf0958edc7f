#include "api/json_views.h"

#include <boost/json.hpp>

#include "api/http_date.h"

namespace castor {
namespace {

boost::json::object to_json(const Object& o) {
  boost::json::object j;
  j["id"] = o.id().to_string();
  j["namespace"] = o.ns().str();
  j["tenant_id"] = o.tenant().str();
  j["key"] = o.key() ? boost::json::value(o.key()->str()) : boost::json::value(nullptr);
  j["status"] = to_string(o.status());
  j["storage_class"] = to_string(o.storage_class());
  j["content_hash"] = o.content_hash() ? boost::json::value(o.content_hash()->to_string())
                                       : boost::json::value(nullptr);
  j["size_bytes"] = o.size_bytes();
  j["content_type"] = o.content_type();
  j["created_at"] = http_params::rfc3339(o.created_at());
  j["updated_at"] = http_params::rfc3339(o.updated_at());
  if (o.retention()) {
    boost::json::object r;
    r["mode"] = to_string(o.retention()->mode);
    r["retain_until"] = http_params::rfc3339(o.retention()->retain_until);
    j["retention"] = std::move(r);
  } else {
    j["retention"] = nullptr;
  }
  j["legal_hold"] = o.legal_hold();
  const auto disposition = ObjectAttributes::find(o.attributes().headers, "content-disposition");
  j["content_disposition"] =
      disposition ? boost::json::value(*disposition) : boost::json::value(nullptr);
  return j;
}

}  // namespace

std::string object_json(const Object& object) {
  // The metadata is spliced in as its canonical text: Boost.JSON would turn numbers into doubles
  // (1.50 into 1.5E0, long integers into approximations); the text keeps them as sent.
  std::string out = boost::json::serialize(to_json(object));
  out.pop_back();  // '}'
  out += ",\"metadata\":";
  out += object.attributes().metadata_json();
  out += '}';
  return out;
}

std::string list_page_json(const ListObjects::Page& page) {
  std::string out = "{\"objects\":[";
  for (std::size_t i = 0; i < page.objects.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += object_json(page.objects[i]);
  }
  out += "],\"next_cursor\":";
  out += boost::json::serialize(page.next_cursor ? boost::json::value(*page.next_cursor)
                                                 : boost::json::value(nullptr));
  boost::json::array prefixes;
  for (const std::string& prefix : page.common_prefixes) {
    prefixes.emplace_back(prefix);
  }
  out += ",\"common_prefixes\":";
  out += boost::json::serialize(prefixes);
  out += '}';
  return out;
}

std::string gc_report_json(const CollectGarbage::Report& r) {
  boost::json::object j;
  j["tombstoned_objects"] = r.tombstoned_objects;
  j["expired_writing_objects"] = r.expired_writing_objects;
  j["removed_temp_files"] = r.removed_temp_files;
  j["expired_uploads"] = r.expired_uploads;
  j["deleted_blobs"] = r.deleted_blobs;
  j["reclaimed_bytes"] = r.reclaimed_bytes;
  j["removed_orphan_files"] = r.removed_orphan_files;
  j["purged_tombstones"] = r.purged_tombstones;
  j["failed_items"] = r.failed_items;
  return boost::json::serialize(j);
}

boost::json::object usage_figures_json(const UsageFigures& f) {
  boost::json::object j;
  j["objects"] = f.objects;
  j["logical_bytes"] = f.logical_bytes;
  j["physical_bytes"] = f.physical_bytes;
  return j;
}

}  // namespace castor
