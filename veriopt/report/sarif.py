"""report.sarif: the optimizer's findings in SARIF 2.1.0, the format code
scanning tools and editors read (docs/sarif.md). One result per accepted
improvement, at the function's lines in the input, with the rewrite as a
fix when it is at the input's own level (a C rewrite of a C file, an IR
rewrite of an IR file). A bounded result has its own rule and says
"not a proof" in its message: a reader of the SARIF alone is not misled.

Built from report.json alone, like the Markdown and HTML reports."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from veriopt.report.spans import function_text
from veriopt.report.summary import checked_by_text, proof_text, speedup, static_speedup

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RULES = [
    {"id": "veriopt.proved-rewrite", "name": "ProvedFasterRewrite",
     "shortDescription": {"text": "A cheaper rewrite of the function, proved correct"},
     "fullDescription": {"text": "veriopt proved that this rewrite refines the original "
                                 "function for every input (and every loop iteration count) "
                                 "and it costs less than the clang/LLVM -O3 baseline."},
     "defaultConfiguration": {"level": "note"}},
    {"id": "veriopt.bounded-rewrite", "name": "BoundedFasterRewrite",
     "shortDescription": {"text": "A cheaper rewrite of the function, checked only up to a "
                                  "loop bound (not a proof)"},
     "fullDescription": {"text": "No counterexample exists within K loop iterations and "
                                 "fuzzing found no difference, but executions with more "
                                 "iterations were not checked: this is not a proof."},
     "defaultConfiguration": {"level": "note"}},
]
_RULE_INDEX = {"proved": 0, "bounded": 1}


def tool_version() -> str:
    """veriopt's version, as installed (the package root sits a floor above)."""
    try:
        return version("veriopt")
    except PackageNotFoundError:
        return "unknown"


def sarif(report: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log of `report` (one run, one result per accepted candidate)."""
    inp = report["input"]
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "veriopt", "version": tool_version(),
                                "semanticVersion": tool_version(), "rules": RULES}},
            "automationDetails": {"id": f"veriopt/optimize/{report['run']['id']}"},
            "artifacts": [{"location": {"uri": file_uri(inp["path"])},
                           "hashes": {"sha-256": inp["sha256"]}}],
            "results": [_result(report, c) for c in report["candidates"]
                        if c["accepted"] and c["status"] in _RULE_INDEX],
        }],
    }


def file_uri(path: str) -> str:
    """A path as a SARIF artifact URI: relative paths stay relative."""
    if PureWindowsPath(path).drive:
        return PureWindowsPath(path).as_uri()
    posix = PurePosixPath(path)
    return posix.as_uri() if posix.is_absolute() else quote(posix.as_posix())


def _result(report: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    index = _RULE_INDEX[c["status"]]
    result: dict[str, Any] = {
        "ruleId": RULES[index]["id"], "ruleIndex": index, "level": "note",
        "message": {"text": _message(report, c)},
        "locations": [_location(report)],
        "partialFingerprints": {"veriopt/candidate/v1": c["key"]},
        "properties": {"key": c["key"], "rewriteLevel": c["level"], "origin": c["origin"],
                       "proof": c["status"], "label": c["label"],
                       "bound": (c.get("verdict") or {}).get("bound"),
                       "checkedBy": list(c["checked_by"]),
                       "staticSpeedup": _round(static_speedup(report, c)),
                       "measuredSpeedup": _round(speedup(c.get("timing")))},
    }
    fix = _fix(report, c)
    if fix is not None:
        result["fixes"] = [fix]
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _message(report: dict[str, Any], c: dict[str, Any]) -> str:
    static = static_speedup(report, c)
    measured = speedup(c.get("timing"))
    speed = f"static cost ×{static:.2f}" if static else "cheaper static cost"
    if measured:
        speed += f", measured ×{measured:.2f}"
    proof = proof_text({"proof": c["status"], "label": c["label"]})
    return (f"`{report['function']}` can be rewritten faster at the {c['level']} level "
            f"({speed}; candidate {c['key']} from {c['origin']}): {proof}; checked by "
            f"{checked_by_text(c, report)}.")


def _location(report: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": file_uri(report["input"]["path"]),
                                                     "index": 0}}
    lines = report["input"].get("function_lines")
    if lines:
        physical["region"] = {"startLine": lines[0], "endLine": lines[1]}
    return {"physicalLocation": physical,
            "logicalLocations": [{"name": report["function"], "kind": "function"}]}


def _fix(report: dict[str, Any], c: dict[str, Any]) -> dict[str, Any] | None:
    """Replace the function's lines by the rewrite's definition, when the
    rewrite is at the input's level and both definitions were found."""
    inp = report["input"]
    lines = inp.get("function_lines")
    if c["level"] != inp["kind"] or not lines:
        return None
    new = function_text(c["code"], c["level"], report["function"])
    if new is None:
        return None
    region = {"startLine": lines[0], "startColumn": 1, "endLine": lines[1] + 1,
              "endColumn": 1}            # whole lines, through the last newline
    return {"description": {"text": f"Replace `{report['function']}` by candidate {c['key']}"
                                    f" ({proof_text({'proof': c['status'], 'label': c['label']})})"},
            "artifactChanges": [{"artifactLocation": {"uri": file_uri(inp["path"]), "index": 0},
                                 "replacements": [{"deletedRegion": region,
                                                   "insertedContent": {"text": new + "\n"}}]}]}
