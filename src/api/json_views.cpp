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
  return j;
}

}  // namespace

std::string object_json(const Object& object) { return boost::json::serialize(to_json(object)); }

std::string list_page_json(const ListObjects::Page& page) {
  boost::json::array objects;
  objects.reserve(page.objects.size());
  for (const Object& o : page.objects) {
    objects.push_back(to_json(o));
  }
  boost::json::object j;
  j["objects"] = std::move(objects);
  j["next_cursor"] =
      page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value(nullptr);
  return boost::json::serialize(j);
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

}  // namespace castor
