// Worker dependencies as a graph: cycle detection for validation, and the orders in which
// workers start (dependencies first) and stop (dependents first). Pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sup::config {

// worker name -> names it depends on. Names that are not keys are ignored (unknown workers are
// reported elsewhere).
using DependencyGraph = std::map<std::string, std::vector<std::string>>;

// Each distinct cycle once, as the workers along it in dependency order ({"a", "b"} for
// a -> b -> a), starting from its alphabetically first member.
std::vector<std::vector<std::string>> FindCycles(const DependencyGraph& graph);

// Every worker after all of its dependencies; ties alphabetically. Workers on cycles come last.
std::vector<std::string> StartOrder(const DependencyGraph& graph);

// The workers that depend on `worker`, directly or through others.
std::vector<std::string> TransitiveDependents(const DependencyGraph& graph,
                                              const std::string& worker);

}  // namespace sup::config
