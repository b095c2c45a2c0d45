#!/usr/bin/env python3
"""Summarises one preset's CTest run for scripts/test.sh, case by case.

Usage: test-report.py PRESET JUNIT_XML TESTS_JSON FLOORS_JSON SECONDS RETRIES_LOG

JUNIT_XML is what `ctest --output-junit` wrote; TESTS_JSON is `ctest --show-only=json-v1`, which
gives each case its labels (its ring). Prints the passed, failed and skipped cases per ring, names
every failed and skipped case (with the reason a skip gave), the longest cases, and as its last
line "counts PASSED FAILED SKIPPED" for test.sh to add up.

FLOORS_JSON (tests/ring_floors.json) gives each ring of the preset the fewest cases it may list: a
ring below its floor, or missing, counts as a failure (a ring that vanishes must not pass green).
SECONDS is how long the preset's build and tests took, reported against the preset's budget
there. RETRIES_LOG holds one line per retry the test helpers made ("wine-run: ...",
"CreateProcessW: ...", "StartServiceW: ..."): their totals are printed, so retries that hide a
flaky start show in every summary.
"""
import collections
import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

LONGEST_SHOWN = 5


def labels_by_test(tests_json_path):
    with open(tests_json_path, encoding="utf-8") as file:
        listing = json.load(file)
    labels = {}
    for test in listing.get("tests", []):
        for prop in test.get("properties", []):
            if prop.get("name") == "LABELS":
                labels[test["name"]] = prop.get("value", [])
    return labels


def skip_reason(case):
    """GoogleTest prints "file:line: Skipped" and then the reason GTEST_SKIP gave."""
    out = case.findtext("system-out") or ""
    match = re.search(r"Skipped\n(.*)\n", out)
    return match.group(1).strip() if match and match.group(1).strip() else "no reason given"


def outcome(case):
    status = case.get("status", "")
    if status == "fail" or case.find("failure") is not None:
        return "failed"
    if status in ("notrun", "disabled") or case.find("skipped") is not None:
        return "skipped"
    return "passed"


def floor_failures(preset, per_ring, floors_path):
    """A line for each ring of `preset` with fewer cases than its floor (or none at all)."""
    with open(floors_path, encoding="utf-8") as file:
        floors = json.load(file).get(preset, {}).get("rings", {})
    lines = []
    for ring, floor in sorted(floors.items()):
        listed = sum(per_ring.get(ring, {}).values())
        if listed < floor:
            lines.append(f"ring {ring} listed {listed} cases, fewer than its floor of {floor} "
                         "(tests/ring_floors.json)")
    return lines


def budget_line(preset, seconds, floors_path):
    with open(floors_path, encoding="utf-8") as file:
        budget = json.load(file).get(preset, {}).get("budget_seconds")
    if budget is None:
        return f"test: {preset}: took {seconds} s (no budget set)"
    verdict = "within" if seconds <= budget else "OVER"
    return f"test: {preset}: took {seconds} s, {verdict} its budget of {budget} s"


def retry_line(preset, retries_path):
    lines = []
    if os.path.exists(retries_path):
        with open(retries_path, encoding="utf-8", errors="replace") as file:
            lines = [line.strip() for line in file if line.strip()]
    by_kind = collections.Counter(line.split(":", 1)[0] for line in lines)
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(by_kind.items()))
    return f"test: {preset}: retries: {len(lines)}" + (f" ({kinds})" if kinds else "")


def main():
    preset, junit_path, tests_json_path, floors_path, seconds, retries_path = sys.argv[1:7]
    labels = labels_by_test(tests_json_path)
    cases = ElementTree.parse(junit_path).getroot().iter("testcase")
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    per_ring = {}
    failed, skipped, timed = [], [], []
    for case in cases:
        name = case.get("name", "?")
        result = outcome(case)
        totals[result] += 1
        ring = ",".join(labels.get(name, [])) or "other"
        per_ring.setdefault(ring, {"passed": 0, "failed": 0, "skipped": 0})[result] += 1
        timed.append((float(case.get("time", "0") or 0), ring, name))
        if result == "failed":
            failed.append(name)
        elif result == "skipped":
            skipped.append(f"{name}: {skip_reason(case)}")

    below = floor_failures(preset, per_ring, floors_path)
    totals["failed"] += len(below)
    rings = ", ".join(
        f"{ring} {c['passed']}/{c['failed']}/{c['skipped']}" for ring, c in sorted(per_ring.items()))
    print(f"test: {preset}: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped "
          f"(passed/failed/skipped by ring: {rings})")
    for name in failed:
        print(f"test: {preset}:   FAILED  {name}")
    for line in below:
        print(f"test: {preset}:   FAILED  {line}")
    for line in skipped:
        print(f"test: {preset}:   SKIPPED {line}")
    longest = sorted(timed, reverse=True)[:LONGEST_SHOWN]
    print(f"test: {preset}: longest: " + ", ".join(f"{name} ({ring}) {seconds:.1f} s"
                                                  for seconds, ring, name in longest))
    print(budget_line(preset, int(seconds), floors_path))
    print(retry_line(preset, retries_path))
    print(f"counts {totals['passed']} {totals['failed']} {totals['skipped']}")


if __name__ == "__main__":
    main()
