#include "common/config/dependency_graph.h"

#include <gtest/gtest.h>

namespace sup::config {
namespace {

using Names = std::vector<std::string>;

TEST(DependencyGraphTest, StartOrderPutsDependenciesFirst) {
  const DependencyGraph graph = {
      {"web", {"api"}}, {"api", {"db", "cache"}}, {"db", {}}, {"cache", {}}, {"batch", {}}};
  EXPECT_EQ(StartOrder(graph), (Names{"batch", "cache", "db", "api", "web"}));
}

TEST(DependencyGraphTest, FindsEachCycleOnce) {
  const DependencyGraph graph = {{"a", {"b"}},   {"b", {"a"}},  {"c", {"c2"}},
                                 {"c2", {"c3"}}, {"c3", {"c"}}, {"d", {"a"}}};
  EXPECT_EQ(FindCycles(graph), (std::vector<Names>{{"a", "b"}, {"c", "c2", "c3"}}));
  EXPECT_TRUE(FindCycles({{"x", {"y"}}, {"y", {}}}).empty());
}

TEST(DependencyGraphTest, TransitiveDependents) {
  const DependencyGraph graph = {
      {"web", {"api"}}, {"api", {"db"}}, {"db", {}}, {"report", {"db"}}, {"solo", {}}};
  EXPECT_EQ(TransitiveDependents(graph, "db"), (Names{"api", "report", "web"}));
  EXPECT_TRUE(TransitiveDependents(graph, "web").empty());
}

}  // namespace
}  // namespace sup::config
