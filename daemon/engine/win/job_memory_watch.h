// The kernel's word that a job reached its memory limit (JOB_OBJECT_MSG_JOB_MEMORY_LIMIT, posted
// to a completion port associated with the job): one port for every watched job, and a thread
// that waits on it and hands each such message to the io thread. Made at the first job with a
// MemoryLimitMB, so supd without one has neither.
//
// Threading: Watch and the handler on the io thread; the waiting thread only posts to it.
#pragma once

#include "daemon/win/asio.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::win {

class JobMemoryWatch {
 public:
  // `reached(key, pid)`: the job watched under `key` reached its limit; `pid` is the process
  // whose allocation failed. Called on the io thread, never after the watch is destroyed.
  using Handler = std::function<void(std::uint64_t key, std::uint32_t pid)>;

  static Result<std::unique_ptr<JobMemoryWatch>> Start(boost::asio::io_context& io,
                                                       Handler reached);
  ~JobMemoryWatch();  // ends the thread
  JobMemoryWatch(const JobMemoryWatch&) = delete;
  JobMemoryWatch& operator=(const JobMemoryWatch&) = delete;

  // Reports `job`'s limit under `key` (not kQuitKey) from now on, until the job is closed.
  Result<void> Watch(HANDLE job, std::uint64_t key);
  // The port the kernel posts to: tests post the message themselves, since only real Windows
  // enforces job memory limits.
  HANDLE port() const { return port_.get(); }

 private:
  static constexpr std::uint64_t kQuitKey = ~std::uint64_t{0};
  JobMemoryWatch(boost::asio::io_context& io, Handler reached, UniqueHandle port);
  void WaitForMessages();

  boost::asio::io_context& io_;
  Handler reached_;
  UniqueHandle port_;
  // Expires with the watch: a message posted to the io thread just before is dropped.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace sup::win
