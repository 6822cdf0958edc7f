#include "application/io_thread.h"

namespace castor {
namespace {
thread_local bool t_io_thread = false;
}  // namespace

void mark_io_thread() { t_io_thread = true; }

bool on_io_thread() { return t_io_thread; }

}  // namespace castor
