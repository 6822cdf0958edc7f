#include "domain/blob.h"

namespace castor {

Status Blob::release() {
  if (ref_count_ == 0) {
    return Error{ErrorCode::kFailedPrecondition,
                 "blob " + hash_.hex() + " has no reference to release"};
  }
  --ref_count_;
  return {};
}

}  // namespace castor
