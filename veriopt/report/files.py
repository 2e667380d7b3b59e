"""Writing a report directory: report.json (the data), report.md and
report.html (for people), report.sarif (for code-scanning tools), and the
two sides of the result's diff as before.*/after.*, so the re-run commands
the report names work in that directory as they are printed."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from veriopt.report.html_page import html_page
from veriopt.report.markdown import markdown
from veriopt.report.sarif import sarif


def write(report: dict[str, Any], source: str, directory: str | Path) -> list[Path]:
    """report.json, report.md, report.html and report.sarif in `directory`
    (in this order in the list returned), then before.* and after.* when
    there is a result; `source` is the input at the result's level."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    texts = {"report.json": json.dumps(report, indent=2, sort_keys=False) + "\n",
             "report.md": markdown(report, source),
             "report.html": html_page(report, source),
             "report.sarif": json.dumps(sarif(report), indent=2) + "\n"}
    res = report["result"]
    if res is not None:
        suffix = ".c" if res["level"] == "c" else ".ll"
        texts[f"before{suffix}"] = source
        texts[f"after{suffix}"] = res["code"]
    files = []
    for name, text in texts.items():
        (out / name).write_text(text)
        files.append(out / name)
    return files
