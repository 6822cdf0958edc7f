#include "infrastructure/s3/s3_blob_reader.h"

#include <algorithm>
#include <cstring>
#include <future>
#include <vector>

#include "infrastructure/s3/s3_blob_store.h"

namespace castor {

// Bytes [offset, offset + data.size()) of the content, once `fetched` is ready.
struct S3BlobReader::Window {
  S3BlobStore* store = nullptr;
  std::uint64_t offset = 0;
  std::vector<std::byte> data;
  std::promise<Status> promise;
  std::shared_future<Status> fetched = promise.get_future().share();

  Window(S3BlobStore& s, std::uint64_t at, std::size_t length)
      : store(&s), offset(at), data(length) {
    store->account(static_cast<std::int64_t>(data.size()));
  }
  ~Window() { store->account(-static_cast<std::int64_t>(data.size())); }
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  std::uint64_t end() const { return offset + data.size(); }
  bool holds(std::uint64_t position) const { return position >= offset && position < end(); }

  // The ranged GET; sets `fetched`.
  static void fetch(S3Client& client, const std::string& key, Window& w) {
    auto got = client.get(key, w.offset, w.data);
    if (!got) {
      w.promise.set_value(std::move(got).error());
    } else if (*got != w.data.size()) {
      w.promise.set_value(Error{
          ErrorCode::kDataLoss,
          "content ends after " + std::to_string(w.offset + *got) + " bytes, before its size"});
    } else {
      w.promise.set_value(Status());
    }
  }
};

S3BlobReader::S3BlobReader(S3BlobStore& store, std::string key, std::uint64_t size)
    : store_(store), key_(std::move(key)), size_(size) {}

S3BlobReader::~S3BlobReader() = default;

std::shared_ptr<S3BlobReader::Window> S3BlobReader::make_window(std::uint64_t offset) {
  const std::uint64_t length = std::min<std::uint64_t>(store_.settings().part_size, size_ - offset);
  return std::make_shared<Window>(store_, offset, static_cast<std::size_t>(length));
}

Status S3BlobReader::move_to(std::uint64_t position) {
  if (current_ && current_->holds(position)) {
    return {};
  }
  current_.reset();  // (memory: at most two windows, even while the next one arrives)
  if (ahead_ && ahead_->holds(position)) {
    current_ = std::move(ahead_);
    const Status& fetched = current_->fetched.get();
    if (!fetched) {
      Status failed = fetched;
      current_.reset();
      return failed;
    }
    return {};
  }
  ahead_.reset();  // a read elsewhere: what was fetched ahead is not needed
  auto window = make_window(position);
  Window::fetch(store_.client(), key_, *window);
  if (const Status& fetched = window->fetched.get(); !fetched) {
    return fetched;
  }
  current_ = std::move(window);
  return {};
}

Result<std::size_t> S3BlobReader::read_at(std::uint64_t offset, std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size() && offset + done < size_) {
    const std::uint64_t position = offset + done;
    if (auto s = move_to(position); !s) {
      return std::move(s).error();
    }
    const auto within = static_cast<std::size_t>(position - current_->offset);
    const std::size_t n = std::min(out.size() - done, current_->data.size() - within);
    std::memcpy(out.data() + done, current_->data.data() + within, n);
    done += n;
  }
  const bool sequential = offset == last_end_;
  last_end_ = offset + done;
  if (sequential && current_ && !ahead_ && current_->end() < size_) {
    auto window = make_window(current_->end());
    auto task = [&client = store_.client(), key = key_, window] {
      Window::fetch(client, key, *window);
    };
    if (store_.pool().try_submit(std::move(task))) {
      ahead_ = std::move(window);
    }
  }
  return done;
}

}  // namespace castor
