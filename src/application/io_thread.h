#pragma once

namespace castor {

// Marks the calling thread as one that runs HTTP connections (an IO thread). IO threads must never
// block on the database, fsync or a rename: adapters that do assert `!on_io_thread()`, so that a
// regression fails the debug and sanitizer test runs instead of stalling every connection of a
// thread in production.
void mark_io_thread();
// Whether mark_io_thread() was called on this thread.
bool on_io_thread();

// Marks the calling thread, for the lifetime of this object, as doing bulk disk work (an upload's
// fsync and commit, content reads) rather than the short database work of authentication and
// listings. The PostgreSQL pool keeps some connections out of reach of bulk work (see
// PgConnectionPool), so that commits stuck behind gigabytes of writeback cannot take every
// connection. Not copyable; nests.
class BulkWorkScope {
 public:
  BulkWorkScope();
  ~BulkWorkScope();
  BulkWorkScope(const BulkWorkScope&) = delete;
  BulkWorkScope& operator=(const BulkWorkScope&) = delete;

 private:
  bool previous_;
};
// Whether the calling thread is inside a BulkWorkScope.
bool in_bulk_work();

}  // namespace castor
