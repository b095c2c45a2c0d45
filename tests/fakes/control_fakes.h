// Fakes for the control plane's ports and transport: a configuration source whose RawConfig the
// test sets, captured output the test publishes, and a FrameSink that records every frame.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/fanout.h"
#include "daemon/control/event_log_entry.h"
#include "daemon/control/output_source.h"
#include "daemon/control/password_store.h"
#include "daemon/control/resource_source.h"
#include "daemon/engine/ports.h"
#include "daemon/control/session.h"

namespace sup::testing {

// Event log entries as reported, from any thread.
class RecordingEventLog final : public control::EventLogWriter {
 public:
  void Report(const control::EventLogEntry& entry) override {
    std::lock_guard lock(mutex_);
    entries_.push_back(entry);
  }
  std::vector<control::EventLogEntry> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  // The strings of each entry with `id`, in order.
  std::vector<std::vector<std::string>> With(std::uint32_t id) const {
    std::vector<std::vector<std::string>> found;
    for (const control::EventLogEntry& entry : entries())
      if (entry.kind.id == id) found.push_back(entry.strings);
    return found;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<control::EventLogEntry> entries_;
};

// Resources the test sets per worker; records what was asked.
class FakeResourceSource final : public control::ResourceSource {
 public:
  std::map<std::string, control::ResourceSample> Sample(
      const std::vector<std::string>& workers) override {
    asked.push_back(workers);
    std::map<std::string, control::ResourceSample> found;
    for (const std::string& worker : workers) {
      if (const auto sample = samples.find(worker); sample != samples.end())
        found.emplace(worker, sample->second);
    }
    return found;
  }
  std::map<std::string, control::ResourceSample> samples;
  std::vector<std::vector<std::string>> asked;
};

// Passwords kept in memory by worker; with `failing`, keeping one fails as a vault that cannot
// write would.
class FakePasswordStore final : public control::PasswordStore {
 public:
  Result<void> Keep(const std::string& worker, const std::string& password) override {
    if (failing) return Error(ErrorKind::kInternal, "writing HKLM\\SOFTWARE\\Sup\\Secrets: denied");
    kept[worker] = password;
    return Ok();
  }
  Result<void> Forget(const std::string& worker) override {
    kept.erase(worker);
    return Ok();
  }
  bool Has(const std::string& worker) const override { return kept.count(worker) != 0; }
  std::map<std::string, std::string> kept;
  bool failing = false;
};

class FakeOutputSource final : public control::OutputSource {
 public:
  using Key = std::pair<std::string, control::OutputStream>;

  Result<std::vector<std::string>> Tail(const std::string& worker, control::OutputStream stream,
                                        std::size_t lines) const override {
    const auto found = captured.find({worker, stream});
    if (found == captured.end())
      return Error(ErrorKind::kFailedPrecondition, "stdout of " + worker + " is not captured");
    const std::vector<std::string>& all = found->second;
    return std::vector<std::string>(
        all.end() - static_cast<std::ptrdiff_t>(std::min(lines, all.size())), all.end());
  }

  Result<Subscription> Follow(const std::string& worker, control::OutputStream stream,
                              std::function<void(const std::vector<std::string>&)> on_lines,
                              std::function<void()> on_end) override {
    if (!captured.contains({worker, stream}))
      return Error(ErrorKind::kFailedPrecondition, "not captured");
    return Combine(followers[{worker, stream}].Subscribe(std::move(on_lines)),
                   ends[{worker, stream}].Subscribe(std::move(on_end)));
  }

  std::optional<std::string> Problem(const std::string& worker) const override {
    const auto found = problems.find(worker);
    if (found == problems.end()) return std::nullopt;
    return found->second;
  }

  // New output of a captured stream, as the capture would publish it.
  void Print(const std::string& worker, control::OutputStream stream,
             const std::vector<std::string>& lines) {
    std::vector<std::string>& all = captured[{worker, stream}];
    all.insert(all.end(), lines.begin(), lines.end());
    followers[{worker, stream}].Publish(lines);
  }

  // The stream is no more (its worker was removed), as the store would end it.
  void EndStream(const std::string& worker, control::OutputStream stream) {
    captured.erase({worker, stream});
    ends[{worker, stream}].Publish();
  }

  std::map<Key, std::vector<std::string>> captured;
  std::map<Key, Fanout<const std::vector<std::string>&>> followers;
  std::map<Key, Fanout<>> ends;
  std::map<std::string, std::string> problems;  // worker -> what Problem says
};

// Every frame a session sent, also after the end (which is a bug a test must be able to see),
// decoded as `Message` on demand: asking for a frame that was not sent, or that does not parse,
// is a test failure, never an empty message that passes for a reply.
class RecordingSink final : public control::FrameSink {
 public:
  void Send(std::string payload) override {
    if (ended) ++sent_after_end;
    frames.push_back(std::move(payload));
  }
  void End() override {
    if (ended) ++ended_again;
    ended = true;
  }

  template <typename Message>
  Message Frame(std::size_t index) const {
    Message message;
    if (index >= frames.size()) {
      ADD_FAILURE() << "no frame " << index << " was sent (" << frames.size() << " were)";
    } else if (!message.ParseFromString(frames[index])) {
      ADD_FAILURE() << "frame " << index << " is not a " << message.GetTypeName();
    }
    return message;
  }
  template <typename Message>
  Message Last() const {
    if (frames.empty()) {
      ADD_FAILURE() << "no frame was sent";
      return Message();
    }
    return Frame<Message>(frames.size() - 1);
  }

  std::vector<std::string> frames;
  bool ended = false;
  std::size_t sent_after_end = 0;
  std::size_t ended_again = 0;
};

}  // namespace sup::testing
