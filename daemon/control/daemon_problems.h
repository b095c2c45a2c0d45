// What keeps a part of supd itself (not a worker) from working as configured, while it lasts: the
// HTTP endpoint not listening because its port is taken, a well-known pipe name held by another
// process. `supctl status` shows each as a line under supd's, and `-o json` as
// daemon.problems, so an admin sees it where they look first, not only in supd's log.
//
// Threading: any thread (the read side's threads set them, the io thread reads them for Status).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sup::control {

class DaemonProblems {
 public:
  // The problem of `part` ("http", "pipe sup-control") is now `text`.
  void Set(const std::string& part, std::string text) {
    std::lock_guard lock(mutex_);
    problems_[part] = std::move(text);
  }
  // `part` works again.
  void Clear(const std::string& part) {
    std::lock_guard lock(mutex_);
    problems_.erase(part);
  }
  // Every problem's text, by part.
  std::vector<std::string> List() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> texts;
    for (const auto& [part, text] : problems_) texts.push_back(text);
    return texts;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> problems_;
};

}  // namespace sup::control
