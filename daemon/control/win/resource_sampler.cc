#include "daemon/control/win/resource_sampler.h"

#include <tlhelp32.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "daemon/engine/win/job_processes.h"
#include "common/win/unique_handle.h"

namespace sup::win {
namespace {

std::chrono::nanoseconds FromFiletime(const FILETIME& time) {
  const std::uint64_t ticks =
      (static_cast<std::uint64_t>(time.dwHighDateTime) << 32) | time.dwLowDateTime;
  return std::chrono::nanoseconds(ticks * 100);  // FILETIME counts 100 ns
}

std::chrono::nanoseconds FromTicks(const LARGE_INTEGER& ticks) {
  return std::chrono::nanoseconds(static_cast<std::uint64_t>(ticks.QuadPart) * 100);
}

// The threads of every process, taken once per sample and only if some process needs it.
class ThreadList {
 public:
  const std::vector<DWORD>& Of(DWORD pid) {
    if (!taken_) Take();
    static const std::vector<DWORD> kNone;
    const auto found = threads_.find(pid);
    return found == threads_.end() ? kNone : found->second;
  }

 private:
  void Take() {
    taken_ = true;
    const UniqueFileHandle snapshot{::CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0)};
    if (!snapshot) return;
    THREADENTRY32 entry{};
    entry.dwSize = sizeof(entry);
    for (BOOL more = ::Thread32First(snapshot.get(), &entry); more;
         more = ::Thread32Next(snapshot.get(), &entry)) {
      threads_[entry.th32OwnerProcessID].push_back(entry.th32ThreadID);
    }
  }
  bool taken_ = false;
  std::map<DWORD, std::vector<DWORD>> threads_;
};

// Whether `cpu` can be the CPU time of a process created at `created`: no process uses more than
// its life on every processor (and a clock tick of slack). Under Wine 8 a process too young to
// have told Wine's server its Unix pid reports the CPU time of the process that asks: supd's
// own, which over a worker's few milliseconds of life read as 7131 % in a crash-looping soak.
bool WithinItsLife(const FILETIME& created, std::chrono::nanoseconds cpu) {
  // As CpuUsage counts them (Daemon): the machine's processors, asked once.
  static const unsigned processors = std::max(std::thread::hardware_concurrency(), 1u);
  FILETIME now;
  ::GetSystemTimeAsFileTime(&now);
  const std::chrono::nanoseconds life = FromFiletime(now) - FromFiletime(created);
  constexpr std::chrono::milliseconds kTick(16);
  return cpu <= (life + kTick) * processors;
}

// Adds one process's figures to `sample`; its CPU and I/O too when the job gave none.
void AddProcess(DWORD pid, bool add_cpu_and_io, ThreadList& threads,
                control::ResourceSample& sample) {
  const UniqueHandle process{::OpenProcess(kMemoryReadAccess, FALSE, pid)};
  if (!process) return;  // exited meanwhile
  const ProcessMemory memory = MemoryOfProcess(process.get());
  sample.working_set_bytes += memory.working_set_bytes;
  sample.private_bytes += memory.private_bytes;
  DWORD handles = 0;
  if (::GetProcessHandleCount(process.get(), &handles)) sample.handles += handles;
  if (!add_cpu_and_io) return;
  if (IO_COUNTERS io{}; ::GetProcessIoCounters(process.get(), &io)) {
    sample.io_read_bytes += io.ReadTransferCount;
    sample.io_write_bytes += io.WriteTransferCount;
  }
  FILETIME created, exited, kernel{}, user{};
  if (::GetProcessTimes(process.get(), &created, &exited, &kernel, &user) &&
      (FromFiletime(kernel).count() != 0 || FromFiletime(user).count() != 0) &&
      WithinItsLife(created, FromFiletime(kernel) + FromFiletime(user))) {
    sample.cpu_kernel += FromFiletime(kernel);
    sample.cpu_user += FromFiletime(user);
    return;
  }
  for (DWORD tid : threads.Of(pid)) {
    const UniqueHandle thread{::OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid)};
    if (thread && ::GetThreadTimes(thread.get(), &created, &exited, &kernel, &user)) {
      sample.cpu_kernel += FromFiletime(kernel);
      sample.cpu_user += FromFiletime(user);
    }
  }
}

}  // namespace

std::map<std::string, control::ResourceSample> ResourceSampler::Sample(
    const std::vector<std::string>& workers) {
  std::map<std::string, control::ResourceSample> samples;
  ThreadList threads;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(kept_,
                [&](const auto& entry) { return now - entry.second.sampled_at >= kFreshFor; });
  for (const std::string& worker : workers) {
    const std::optional<JobLauncher::RunningJob> running = launcher_.Running(worker);
    if (!running || !running->job) continue;
    if (const auto kept = kept_.find(worker);
        kept != kept_.end() && kept->second.launch == running->launch) {
      samples.emplace(worker, kept->second);
      continue;
    }
    control::ResourceSample& sample = samples[worker];
    sample.launch = running->launch;
    sample.launched_at = running->launched_at;
    sample.sampled_at = now;
    JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION accounting{};
    const bool whole_job =
        ::QueryInformationJobObject(running->job, JobObjectBasicAndIoAccountingInformation,
                                    &accounting, sizeof(accounting), nullptr);
    const std::vector<DWORD> pids = JobProcessIds(running->job);
    if (whole_job) {
      sample.cpu_user = FromTicks(accounting.BasicInfo.TotalUserTime);
      sample.cpu_kernel = FromTicks(accounting.BasicInfo.TotalKernelTime);
      sample.processes = accounting.BasicInfo.ActiveProcesses;
      sample.io_read_bytes = accounting.IoInfo.ReadTransferCount;
      sample.io_write_bytes = accounting.IoInfo.WriteTransferCount;
    } else {
      sample.processes = static_cast<std::uint32_t>(pids.size());
    }
    for (DWORD pid : pids) AddProcess(pid, !whole_job, threads, sample);
    kept_[worker] = sample;
  }
  return samples;
}

}  // namespace sup::win
