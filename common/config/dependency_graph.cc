#include "common/config/dependency_graph.h"

#include <algorithm>
#include <functional>
#include <set>

namespace sup::config {

std::vector<std::vector<std::string>> FindCycles(const DependencyGraph& graph) {
  std::vector<std::vector<std::string>> cycles;
  std::set<std::vector<std::string>> seen;
  enum class Mark { kNew, kOnPath, kDone };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;

  std::function<void(const std::string&)> visit = [&](const std::string& node) {
    marks[node] = Mark::kOnPath;
    path.push_back(node);
    for (const std::string& next : graph.at(node)) {
      if (!graph.contains(next)) continue;
      if (marks[next] == Mark::kOnPath) {
        std::vector<std::string> cycle(std::find(path.begin(), path.end(), next), path.end());
        std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
        if (seen.insert(cycle).second) cycles.push_back(cycle);
      } else if (marks[next] == Mark::kNew) {
        visit(next);
      }
    }
    path.pop_back();
    marks[node] = Mark::kDone;
  };
  for (const auto& [node, dependencies] : graph) {
    if (marks[node] == Mark::kNew) visit(node);
  }
  return cycles;
}

std::vector<std::string> StartOrder(const DependencyGraph& graph) {
  std::vector<std::string> order;
  std::set<std::string> placed;
  // Repeatedly place every worker whose known dependencies are all placed (Kahn's algorithm in
  // alphabetical rounds: deterministic, and fine for hundreds of workers).
  bool progress = true;
  while (progress) {
    progress = false;
    for (const auto& [node, dependencies] : graph) {
      if (placed.contains(node)) continue;
      const bool ready = std::all_of(
          dependencies.begin(), dependencies.end(),
          [&](const std::string& d) { return !graph.contains(d) || placed.contains(d); });
      if (ready) {
        order.push_back(node);
        placed.insert(node);
        progress = true;
      }
    }
  }
  for (const auto& [node, dependencies] : graph) {
    if (!placed.contains(node)) order.push_back(node);
  }
  return order;
}

std::vector<std::string> TransitiveDependents(const DependencyGraph& graph,
                                              const std::string& worker) {
  std::set<std::string> found;
  std::vector<std::string> frontier = {worker};
  while (!frontier.empty()) {
    const std::string current = frontier.back();
    frontier.pop_back();
    for (const auto& [node, dependencies] : graph) {
      if (node != worker && !found.contains(node) &&
          std::find(dependencies.begin(), dependencies.end(), current) != dependencies.end()) {
        found.insert(node);
        frontier.push_back(node);
      }
    }
  }
  return {found.begin(), found.end()};
}

}  // namespace sup::config
