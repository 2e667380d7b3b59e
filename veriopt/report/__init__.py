"""Reports of an optimizer run: report.json for machines (schema in
docs/report-schema.md), report.md / report.html for people, report.sarif
for code-scanning tools (docs/sarif.md), and the summary `veriopt
optimize` prints.

The data is built once (`build`) and every report is rendered from it
alone, the sentences from one place (`summary`), so what a person reads is
exactly what a machine reads. Nothing only `bounded` (checked up to a loop
bound) is ever shown or counted as proved, and every result says which
checker(s) confirmed it (veriopt, and alive-tv when it re-checked an IR
rewrite). Floor 6: reads a finished run's results, never the orchestrator.

One job per module: data (report.json), summary (the words), markdown,
html_page (+ html_diff, chart, highlight), sarif, spans (where a function
stands in a file), files (writing the directory)."""
from veriopt.report.data import SCHEMA, build, fuzzed_count, rerun_commands
from veriopt.report.files import write
from veriopt.report.html_page import html_page
from veriopt.report.markdown import markdown
from veriopt.report.sarif import sarif
from veriopt.report.summary import (Fact, alive_line, checked_by_text, facts, lineage,
                                    proof_details, proof_text, rejected, speedup_line,
                                    summary_text, verdict_text)

__all__ = ["SCHEMA", "Fact", "alive_line", "build", "checked_by_text", "facts", "fuzzed_count",
           "html_page", "lineage", "markdown", "proof_details", "proof_text", "rejected",
           "rerun_commands", "sarif", "speedup_line", "summary_text", "verdict_text", "write"]
