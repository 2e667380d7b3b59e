"""The one JSON shape every command's `--json` prints: a document with the
schema's version and the command's name around the command's own fields,
numbers as numbers. The schema is docs/schema/veriopt.schema.json
(documented in docs/json.md); tests validate every command's output
against it.

Ground floor: commands, reports and the CLI's error path all use it.
"""
from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1


def document(command: str, **fields: Any) -> dict[str, Any]:
    """The document for one run of `command`."""
    return {"schema_version": SCHEMA_VERSION, "command": command, **fields}


def dumps(doc: dict[str, Any]) -> str:
    import json   # here: a run that prints no JSON does not load it
    return json.dumps(doc, indent=2)
