#pragma once

namespace castor {

// Marks the calling thread as one that runs HTTP connections (an IO thread). IO threads must never
// block on the database, fsync or a rename: adapters that do assert `!on_io_thread()`, so that a
// regression fails the debug and sanitizer test runs instead of stalling every connection of a
// thread in production.
void mark_io_thread();
// Whether mark_io_thread() was called on this thread.
bool on_io_thread();

}  // namespace castor
