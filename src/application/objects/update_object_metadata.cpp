#include "application/objects/update_object_metadata.h"

#include "application/upload_object.h"

namespace castor {

Result<Object> UpdateObjectMetadata::run(const Request& request) {
  for (const auto& [name, value] : request.metadata) {
    if (value != "null") {
      if (auto s = check_metadata_name(name); !s) {
        return std::move(s).error();
      }
    }
  }
  if (request.content_type && !is_valid_content_type(*request.content_type)) {
    return Error{ErrorCode::kInvalidArgument,
                 "content_type must be 1 to 255 printable ASCII characters",
                 "invalid_content_type"};
  }
  if (request.content_disposition && *request.content_disposition) {
    const std::string& d = **request.content_disposition;
    if (d.empty() || !is_valid_content_type(d)) {  // the same rule: printable ASCII
      return Error{ErrorCode::kInvalidArgument,
                   "content_disposition must be 1 to 255 printable ASCII characters",
                   "invalid_metadata"};
    }
  }
  std::optional<Object> changed;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto found = tx.objects().find(request.id, /*for_update=*/true);
    if (!found) {
      return std::move(found).error();
    }
    Object& object = *found;
    if (!object.visible() || object.tenant() != request.tenant) {
      return not_found("no such object");
    }
    if (request.precondition && !request.precondition(object)) {
      return Error{ErrorCode::kFailedPrecondition, "the object does not match If-Match",
                   "precondition_failed"};
    }
    std::optional<std::string> disposition;
    if (request.content_disposition) {
      disposition = *request.content_disposition;
    } else if (auto d =
                   ObjectAttributes::find(object.attributes().headers, "content-disposition")) {
      disposition = std::string(*d);
    }
    auto metadata = patch_metadata(object.attributes().metadata, request.metadata, request.mode);
    if (auto st = object.replace_metadata(std::move(metadata),
                                          request.content_type.value_or(object.content_type()),
                                          std::move(disposition), clock_.now());
        !st) {
      return st;
    }
    if (auto st = tx.objects().update(object); !st) {
      return st;
    }
    changed = std::move(object);
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*changed);
}

}  // namespace castor
