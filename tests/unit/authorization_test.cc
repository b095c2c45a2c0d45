#include "daemon/control/authorization.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace sup::control {
namespace {

using Verb = sup::v1::Request::BodyCase;

TEST(AuthorizationTest, EachRoleGetsExactlyItsVerbs) {
  const Verb read_and_run[] = {Verb::kVersion, Verb::kStatus, Verb::kDescribe,
                               Verb::kLogs,    Verb::kEvents, Verb::kReread,
                               Verb::kStart,   Verb::kStop,   Verb::kRestart};
  const Verb administrators_only[] = {Verb::kReset, Verb::kUpdate};
  for (Verb verb : read_and_run) {
    EXPECT_TRUE(MayUse(Role::kAdministrator, verb)) << VerbName(verb);
    EXPECT_TRUE(MayUse(Role::kOperator, verb)) << VerbName(verb);
    EXPECT_FALSE(MayUse(Role::kNone, verb)) << VerbName(verb);
  }
  for (Verb verb : administrators_only) {
    EXPECT_TRUE(MayUse(Role::kAdministrator, verb)) << VerbName(verb);
    EXPECT_FALSE(MayUse(Role::kOperator, verb)) << VerbName(verb);
    EXPECT_FALSE(MayUse(Role::kNone, verb)) << VerbName(verb);
  }
}

// The verbs named in backquotes in `cell` ("`status`, `describe`; read the key").
std::set<std::string> VerbsIn(const std::string& cell) {
  std::set<std::string> verbs;
  for (std::size_t open = cell.find('`'); open != std::string::npos;
       open = cell.find('`', open + 1)) {
    const std::size_t close = cell.find('`', open + 1);
    if (close == std::string::npos) break;
    verbs.insert(cell.substr(open + 1, close - open - 1));
    open = close;
  }
  return verbs;
}

// docs/security.md tells operators and administrators what an operator may do: its table row must
// say what MayUse decides (it once had reset and reread swapped).
TEST(AuthorizationTest, TheSecurityDocsOperatorRowSaysWhatMayUseDecides) {
  std::ifstream file(SUP_SOURCE_DIR "/docs/security.md");
  ASSERT_TRUE(file) << "docs/security.md";
  std::string line, row;
  while (std::getline(file, line)) {
    if (line.rfind("| Operator", 0) == 0) row = line;
  }
  ASSERT_FALSE(row.empty()) << "no | Operator row in docs/security.md";
  // | Operator (...) | may | may not |
  std::vector<std::string> cells;
  std::stringstream split(row);
  for (std::string cell; std::getline(split, cell, '|');) cells.push_back(cell);
  ASSERT_GE(cells.size(), 4u) << row;
  const std::set<std::string> may = VerbsIn(cells[2]);
  const std::set<std::string> may_not = VerbsIn(cells[3]);
  for (Verb verb : {Verb::kStatus, Verb::kDescribe, Verb::kLogs, Verb::kEvents, Verb::kReread,
                    Verb::kStart, Verb::kStop, Verb::kRestart, Verb::kReset, Verb::kUpdate}) {
    const std::string name = VerbName(verb);
    if (MayUse(Role::kOperator, verb)) {
      EXPECT_TRUE(may.count(name)) << name << " is missing from what operators may: " << row;
      EXPECT_FALSE(may_not.count(name)) << name << " is said to be refused: " << row;
    } else {
      EXPECT_TRUE(may_not.count(name))
          << name << " is missing from what operators may not: " << row;
      EXPECT_FALSE(may.count(name)) << name << " is said to be allowed: " << row;
    }
  }
}

}  // namespace
}  // namespace sup::control
