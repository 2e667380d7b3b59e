"""report.sarif: SARIF 2.1.0 for the optimizer's findings, checked against
a JSON Schema of the subset veriopt emits (written from the OASIS SARIF
2.1.0 specification: required properties, types, enums) and by hand:
one note per accepted improvement, at the function's lines, with the
proof status in words, and a fix that really is the rewrite."""
from __future__ import annotations

import json

import jsonschema
import pytest
from veriopt import report
from veriopt.agents.orchestrator import Budget, Options, Orchestrator
from veriopt.agents.store import Store
from veriopt.report.sarif import file_uri

from agent_helpers import (
    GOOD,
    PARITY,
    PARITY_LOOP,
    SRC,
    CScripted,
    Scripted,
    c_job,
    mixed_run,
    orchestrate,
)

MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
REGION = {"type": "object", "required": ["startLine"], "additionalProperties": False,
          "properties": {k: {"type": "integer", "minimum": 1}
                         for k in ("startLine", "startColumn", "endLine", "endColumn")}}
ARTIFACT_LOCATION = {"type": "object", "required": ["uri"],
                     "properties": {"uri": {"type": "string", "format": "uri-reference"},
                                    "index": {"type": "integer", "minimum": 0}}}
RULE = {"type": "object", "required": ["id"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                       "shortDescription": MESSAGE, "fullDescription": MESSAGE,
                       "defaultConfiguration": {"type": "object", "properties": {
                           "level": {"enum": ["none", "note", "warning", "error"]}}}}}
LOCATION = {"type": "object", "properties": {
    "physicalLocation": {"type": "object", "required": ["artifactLocation"],
                         "properties": {"artifactLocation": ARTIFACT_LOCATION, "region": REGION}},
    "logicalLocations": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"}, "kind": {"type": "string"}}}}}}
REPLACEMENT = {"type": "object", "required": ["deletedRegion"],
               "properties": {"deletedRegion": REGION, "insertedContent": {
                   "type": "object", "properties": {"text": {"type": "string"}}}}}
CHANGE = {"type": "object", "required": ["artifactLocation", "replacements"],
          "properties": {"artifactLocation": ARTIFACT_LOCATION,
                         "replacements": {"type": "array", "minItems": 1, "items": REPLACEMENT}}}
FIX = {"type": "object", "required": ["artifactChanges"],
       "properties": {"description": MESSAGE,
                      "artifactChanges": {"type": "array", "minItems": 1, "items": CHANGE}}}
RESULT = {
    "type": "object", "required": ["message", "ruleId", "level", "locations"],
    "properties": {
        "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": 0},
        "level": {"enum": ["none", "note", "warning", "error"]}, "message": MESSAGE,
        "locations": {"type": "array", "minItems": 1, "items": LOCATION},
        "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
        "properties": {"type": "object"},
        "fixes": {"type": "array", "items": FIX},
    },
}
SARIF_SUBSET = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "semanticVersion": {"type": "string"},
                        "rules": {"type": "array", "items": RULE}}}}},
                "automationDetails": {"type": "object",
                                      "properties": {"id": {"type": "string"}}},
                "artifacts": {"type": "array", "items": {"type": "object", "properties": {
                    "location": ARTIFACT_LOCATION,
                    "hashes": {"type": "object",
                               "additionalProperties": {"type": "string"}}}}},
                "results": {"type": "array", "items": RESULT}}}},
    },
}


def validate(log: dict) -> None:
    jsonschema.validate(log, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    data = report.build(mixed_run(), "src/kernel.c", "c", PARITY_LOOP, Budget())
    files = report.write(data, SRC, tmp_path_factory.mktemp("rep"))
    return data, json.loads((files[0].parent / "report.sarif").read_text())


def test_the_schema_rejects_what_sarif_forbids():
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "r", "level": "note", "message": {"text": "m"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.c"}}}]}]}]}
    validate(good)
    for broken in ({**good, "version": "2.0.0"},
                   {"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]},
                   {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
                       {**good["runs"][0]["results"][0], "level": "info"}]}]}):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


def test_sarif_is_valid_and_names_the_tool(mixed):
    data, log = mixed
    validate(log)
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "veriopt" and driver["version"][0].isdigit()
    assert [r["id"] for r in driver["rules"]] == ["veriopt.proved-rewrite",
                                                  "veriopt.bounded-rewrite"]
    assert run["artifacts"][0]["hashes"]["sha-256"] == data["input"]["sha256"]
    assert run["automationDetails"]["id"].endswith(data["run"]["id"])


def test_one_note_per_accepted_improvement(mixed):
    data, log = mixed
    results = log["runs"][0]["results"]
    accepted = [c for c in data["candidates"] if c["accepted"]]
    assert [r["partialFingerprints"]["veriopt/candidate/v1"] for r in results] == \
        [c["key"] for c in accepted]
    by_level = {r["properties"]["rewriteLevel"]: r for r in results}
    proved, bounded = by_level["ir"], by_level["c"]
    assert proved["ruleId"] == "veriopt.proved-rewrite" and proved["ruleIndex"] == 0
    assert bounded["ruleId"] == "veriopt.bounded-rewrite" and bounded["ruleIndex"] == 1
    assert {r["level"] for r in results} == {"note"}
    assert "static cost ×5.00, measured ×2.00" in proved["message"]["text"]
    assert "proved" in proved["message"]["text"]
    text = bounded["message"]["text"]
    assert "bounded, 8 iterations" in text and "not a proof" in text and "proved" not in text
    assert bounded["properties"]["bound"] == 8 and proved["properties"]["bound"] is None


def test_location_is_the_functions_lines(mixed):
    data, log = mixed
    for r in log["runs"][0]["results"]:
        (loc,) = r["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == "src/kernel.c"
        assert loc["physicalLocation"]["region"] == {"startLine": 1, "endLine": 5}
        assert loc["logicalLocations"] == [{"name": "f", "kind": "function"}]


def apply_fix(text: str, fix: dict) -> str:
    """A SARIF fix applied to `text` (whole-line regions, as veriopt writes them)."""
    (change,) = fix["artifactChanges"]
    (rep,) = change["replacements"]
    region = rep["deletedRegion"]
    lines = text.splitlines(keepends=True)
    assert region["startColumn"] == 1 and region["endColumn"] == 1
    return ("".join(lines[:region["startLine"] - 1]) + rep["insertedContent"]["text"]
            + "".join(lines[region["endLine"] - 1:]))


def test_fix_only_where_the_rewrite_is_at_the_inputs_level(mixed):
    data, log = mixed
    by_level = {r["properties"]["rewriteLevel"]: r for r in log["runs"][0]["results"]}
    assert "fixes" not in by_level["ir"]               # an IR rewrite of a C file
    (fix,) = by_level["c"]["fixes"]
    assert apply_fix(PARITY_LOOP, fix) == PARITY
    assert "not a proof" in fix["description"]["text"]


def test_ir_fix_replaces_the_function_in_its_module():
    module = "; header\n@g = global i32 0\n\n" + SRC + "\ndeclare void @h()\n"
    result = orchestrate([Scripted("a", [[GOOD]])]).run()
    data = report.build(result, "/abs/dir/in.ll", "ir", module, Budget())
    log = report.sarif(data)
    validate(log)
    (res,) = log["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "endLine": 9}
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "file:///abs/dir/in.ll"
    assert apply_fix(module, res["fixes"][0]) == module.replace(SRC, GOOD)


def test_no_accepted_improvement_means_no_result():
    result = Orchestrator([c_job()], [CScripted("c", [[PARITY]])], Store(), Budget(seconds=60),
                          options=Options(bounded="drop")).run()
    log = report.sarif(report.build(result, "p.c", "c", PARITY_LOOP, Budget()))
    validate(log)
    assert log["runs"][0]["results"] == []


def test_file_uris():
    assert file_uri("a b/c.ll") == "a%20b/c.ll" and file_uri("/x/y.c") == "file:///x/y.c"
