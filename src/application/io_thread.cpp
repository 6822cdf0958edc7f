#include "application/io_thread.h"

namespace castor {
namespace {
thread_local bool t_io_thread = false;
thread_local bool t_bulk_work = false;
}  // namespace

BulkWorkScope::BulkWorkScope() : previous_(t_bulk_work) { t_bulk_work = true; }

BulkWorkScope::~BulkWorkScope() { t_bulk_work = previous_; }

bool in_bulk_work() { return t_bulk_work; }

void mark_io_thread() { t_io_thread = true; }

bool on_io_thread() { return t_io_thread; }

}  // namespace castor
