#pragma once
// A readers-writer lock that prefers writers: once a writer waits, new readers queue behind
// it. glibc's rwlock (under std::shared_mutex) prefers readers, so a steady stream of
// searches would starve an add forever.
#include <condition_variable>
#include <mutex>
#include <shared_mutex>  // std::shared_lock, for callers

namespace ragkernel::vector::detail {

class RwLock {
 public:
  void lock_shared() {
    std::unique_lock lock(m_);
    readers_cv_.wait(lock, [this] { return !writer_ && writers_waiting_ == 0; });
    ++readers_;
  }
  void unlock_shared() {
    std::lock_guard lock(m_);
    if (--readers_ == 0 && writers_waiting_ != 0) writer_cv_.notify_one();
  }
  void lock() {
    std::unique_lock lock(m_);
    ++writers_waiting_;
    writer_cv_.wait(lock, [this] { return !writer_ && readers_ == 0; });
    --writers_waiting_;
    writer_ = true;
  }
  void unlock() {
    std::lock_guard lock(m_);
    writer_ = false;
    if (writers_waiting_ != 0) writer_cv_.notify_one();
    readers_cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable readers_cv_, writer_cv_;
  int readers_ = 0;
  int writers_waiting_ = 0;
  bool writer_ = false;
};

}  // namespace ragkernel::vector::detail
