#pragma once

#include <optional>
#include <span>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/upload_object.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"

namespace castor::testing {

// The in-memory ports and an UploadObject over them (1 MiB size limit): what use-case tests build
// on. Test files derive from it and add the use case they exercise.
struct FakeStore {
  FakeClock clock;
  SequentialIds ids;
  MemoryMetadataStore metadata;
  MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, 1 << 20};

  // Uploads and commits `content` as an object of (ns, tenant) with `key` ("" = keyless),
  // requiring every step to succeed.
  Object put(const Namespace& ns, const TenantId& tenant, std::string_view key,
             std::string_view content) {
    std::optional<ObjectKey> k;
    if (!key.empty()) {
      k = *ObjectKey::parse(key);
    }
    auto upload = uploads.begin({.ns = ns,
                                 .tenant = tenant,
                                 .key = std::move(k),
                                 .storage_class = StorageClass::kHot,
                                 .content_type = {},
                                 .expected_hash = {}},
                                content.size());
    REQUIRE(upload);
    REQUIRE((*upload)->write(std::as_bytes(std::span(content.data(), content.size()))));
    auto object = uploads.commit(**upload);
    REQUIRE(object);
    return *object;
  }
};

}  // namespace castor::testing
