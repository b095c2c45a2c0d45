#!/usr/bin/env python3
"""Summarises one preset's CTest run for scripts/test.sh, case by case.

Usage: test-report.py PRESET JUNIT_XML TESTS_JSON

JUNIT_XML is what `ctest --output-junit` wrote; TESTS_JSON is `ctest --show-only=json-v1`, which
gives each case its labels (its ring). Prints the passed, failed and skipped cases per ring, names
every failed and skipped case (with the reason a skip gave), the longest cases, and as its last
line "counts PASSED FAILED SKIPPED" for test.sh to add up.
"""
import json
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


def main():
    preset, junit_path, tests_json_path = sys.argv[1:4]
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

    rings = ", ".join(
        f"{ring} {c['passed']}/{c['failed']}/{c['skipped']}" for ring, c in sorted(per_ring.items()))
    print(f"test: {preset}: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped "
          f"(passed/failed/skipped by ring: {rings})")
    for name in failed:
        print(f"test: {preset}:   FAILED  {name}")
    for line in skipped:
        print(f"test: {preset}:   SKIPPED {line}")
    longest = sorted(timed, reverse=True)[:LONGEST_SHOWN]
    print(f"test: {preset}: longest: " + ", ".join(f"{name} ({ring}) {seconds:.1f} s"
                                                  for seconds, ring, name in longest))
    print(f"counts {totals['passed']} {totals['failed']} {totals['skipped']}")


if __name__ == "__main__":
    main()
