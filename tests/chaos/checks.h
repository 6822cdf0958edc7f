#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "chaos/ledger.h"
#include "chaos/load.h"

// What the chaos run checks after each fault, with the load paused: the storage invariants (the
// metadata and the content files agree, ref counts are right, nothing is left half-done) and
// that castor serves exactly what its clients were told.
namespace castor::chaos {

// How the storage invariants are checked.
enum class FsckMode {
  // SQL and filesystem checks of the test support (tests/e2e/storage_state.cpp, made aware of
  // content inline in blob rows by tests/e2e/inline_state.cpp)
  kBuiltin,
  kCastor,  // those, and `castor fsck` (which must exit 0)
};

// kCastor if `castor fsck --help` succeeds or `castor --help` names fsck, else kBuiltin.
FsckMode detect_fsck(const std::filesystem::path& castor_binary);

struct CheckTarget {
  std::filesystem::path castor_binary;
  std::string database_url;
  std::filesystem::path storage_root;  // {root}/hot and {root}/cold
  FsckMode fsck = FsckMode::kBuiltin;
  std::string ns;
  std::string tenant;
};

// What one storage check found; `violations` empty means every invariant holds.
struct StorageCheck {
  std::vector<std::string> violations;
  std::chrono::milliseconds settle_time{0};  // until GC was idle and the invariants held
  std::string fsck_summary;                  // castor fsck's "fsck: ..." line (kCastor)
};

// Runs GC cycles through the server at `port` until one does nothing and the invariants hold
// (expired uploads need WRITING_TIMEOUT_SECONDS to pass), or `deadline` passes; then checks
// the invariants once more (with castor fsck in kCastor mode). Nothing may be in flight.
StorageCheck check_storage(const CheckTarget& target, std::uint16_t port,
                           std::chrono::seconds deadline);

// Fetches every record of `ledger` not yet settled through the servers in turn and holds each
// to what its client was told (see ObjectState), resolving the unknown ones; then lists the
// tenant and requires exactly the acknowledged objects. Returns the failures found. Nothing may
// be in flight. `stored_after_5xx` counts uploads answered 500/503 and found stored anyway.
std::vector<std::string> check_objects(const CheckTarget& target, const Endpoints& endpoints,
                                       Ledger& ledger, std::uint64_t& stored_after_5xx);

}  // namespace castor::chaos
