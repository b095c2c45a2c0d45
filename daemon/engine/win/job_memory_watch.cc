#include "daemon/engine/win/job_memory_watch.h"

#include "common/win/win32_error.h"

namespace sup::win {

Result<std::unique_ptr<JobMemoryWatch>> JobMemoryWatch::Start(boost::asio::io_context& io,
                                                              Handler reached) {
  UniqueHandle port{::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1)};
  if (!port) return Win32Error("creating the job memory notification port");
  return std::unique_ptr<JobMemoryWatch>(
      new JobMemoryWatch(io, std::move(reached), std::move(port)));
}

JobMemoryWatch::JobMemoryWatch(boost::asio::io_context& io, Handler reached, UniqueHandle port)
    : io_(io),
      reached_(std::move(reached)),
      port_(std::move(port)),
      thread_([this] { WaitForMessages(); }) {}

JobMemoryWatch::~JobMemoryWatch() {
  ::PostQueuedCompletionStatus(port_.get(), 0, static_cast<ULONG_PTR>(kQuitKey), nullptr);
  thread_.join();
}

Result<void> JobMemoryWatch::Watch(HANDLE job, std::uint64_t key) {
  JOBOBJECT_ASSOCIATE_COMPLETION_PORT association{};
  association.CompletionKey = reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(key));
  association.CompletionPort = port_.get();
  if (!::SetInformationJobObject(job, JobObjectAssociateCompletionPortInformation, &association,
                                 sizeof(association))) {
    return Win32Error("watching the job's memory limit");
  }
  return Ok();
}

// Every message of every watched job arrives here (processes starting and exiting too); only a
// reached limit goes on to the io thread.
void JobMemoryWatch::WaitForMessages() {
  while (true) {
    DWORD message = 0;
    ULONG_PTR key = 0;
    OVERLAPPED* detail = nullptr;
    if (!::GetQueuedCompletionStatus(port_.get(), &message, &key, &detail, INFINITE)) return;
    if (key == static_cast<ULONG_PTR>(kQuitKey)) return;
    if (message != JOB_OBJECT_MSG_JOB_MEMORY_LIMIT) continue;
    // For this message the kernel puts the process id where an OVERLAPPED would be.
    const auto pid = static_cast<std::uint32_t>(reinterpret_cast<ULONG_PTR>(detail));
    boost::asio::post(io_, [this, alive = std::weak_ptr<int>(lifetime_), key, pid] {
      if (!alive.expired()) reached_(key, pid);
    });
  }
}

}  // namespace sup::win
