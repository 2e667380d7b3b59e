"""The `llm` agent: any OpenAI-compatible chat-completions endpoint (OpenAI,
vLLM, llama.cpp server, Ollama) proposes rewrites, repairs refuted ones from
their counterexample, and suggests edge-case inputs.

It only proposes. Replies that are not JSON, or carry code that does not
parse, are counted and dropped; HTTP errors and timeouts are counted and
answered with no candidates — the run goes on. The API key lives only in
the client object: it is never logged, never put in a prompt, and `describe`
(what reports show) leaves it out.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from veriopt.agents.base import Candidate, Counters, Task
from veriopt.errors import BadInput, Unsupported
from veriopt.limits import LLM_SECONDS
from veriopt.verify.verdict import Verdict

log = logging.getLogger("veriopt.llm")

PLACEHOLDER_KEY = "sk-no-key-required"     # local servers ignore it; the client needs one
DEFAULT_BASE_URL = "http://localhost:8000/v1"
DEFAULT_MODEL = "default"
MAX_FEEDBACK_CHARS = 6000
MAX_REMARKS = 40
MIN_REQUEST_SECONDS = 0.5   # less left before the deadline: do not ask at all

SYSTEM = ("You are an expert compiler engineer. You rewrite one function so that it is "
          "faster while keeping exactly its semantics: every rewrite is checked by a formal "
          "verifier (refinement: no new undefined behaviour, no new poison, same results). "
          "Answer with one JSON object and nothing else.")

ANSWER_FORMAT = ('Answer format: {"candidates": [{"code": "<complete replacement>", '
                 '"rationale": "<one sentence>"}]} with 1 to 3 candidates.')

LEVEL_RULES = {
    "ir": ("Give each candidate as a complete LLVM IR module (LLVM 22 syntax) that defines "
           "@{fn} with exactly the same signature. Keep it target-independent; no new calls "
           "except LLVM intrinsics."),
    "c": ("Give each candidate as a complete C file that defines {fn} with exactly the same "
          "signature. Call nothing the original does not call; no undefined behaviour "
          "(signed overflow, out-of-bounds access, oversized shifts)."),
}


class LLMStats(Counters):
    """Counters the report shows; every failure mode has its own. `errors`
    names the transport failures (HTTP status or exception type)."""

    COUNTS = ("requests", "replies", "http_errors", "timeouts", "invalid_json", "invalid_code",
              "candidates", "edge_inputs")

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []


def redact_url(url: str) -> str:
    """A base URL without user:password@ (which may carry a secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class LLMAgent:
    name = "llm"
    task_levels = ("ir", "c")

    def __init__(self, base_url: str | None = None, api_key: str | None = None,
                 model: str | None = None, timeout: float = LLM_SECONDS, max_retries: int = 1,
                 temperature: float = 0.2, max_tokens: int = 2048):
        import openai
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.model = model or os.environ.get("VERIOPT_MODEL") or DEFAULT_MODEL
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline: float | None = None   # time.monotonic() the run ends at
        self.gave_up = False     # after a timeout: not asked again in this run
        self.stats = LLMStats()
        self.tokens_used = 0
        key = api_key or os.environ.get("OPENAI_API_KEY") or PLACEHOLDER_KEY
        self._client = openai.OpenAI(base_url=self.base_url, api_key=key, timeout=timeout,
                                     max_retries=max_retries)

    def __repr__(self) -> str:
        return f"LLMAgent(base_url={redact_url(self.base_url)!r}, model={self.model!r})"

    def describe(self) -> dict[str, Any]:
        """What reports may show about this agent (never the key)."""
        return {"base_url": redact_url(self.base_url), "model": self.model,
                "tokens_used": self.tokens_used, **self.stats.as_dict()}

    def set_deadline(self, deadline: float) -> None:
        """The run's end (`time.monotonic()`): no request outlives it, so a
        hung endpoint cannot eat more than the run's budget."""
        self.deadline = deadline

    # ------------------------------------------------------------ protocol
    def propose(self, task: Task) -> list[Candidate]:
        reply = self._ask(propose_prompt(task))
        return self._candidates(task, reply, parent=None)

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        reply = self._ask(repair_prompt(task, candidate, verdict))
        return self._candidates(task, reply, parent=candidate.key)

    def suggest_inputs(self, task: Task) -> list[dict[str, int]]:
        """Test-generation role: edge-case inputs that join the fuzzer's examples."""
        params = parameter_names(task)
        if not params:
            return []
        reply = self._ask(inputs_prompt(task, params))
        if reply is None:
            return []
        rows = reply.get("inputs")
        if not isinstance(rows, list):
            self.stats.invalid_json += 1
            return []
        out = []
        for row in rows:
            if isinstance(row, dict) and set(row) == set(params) and all(
                    isinstance(v, int) and not isinstance(v, bool) for v in row.values()):
                out.append({k: int(v) for k, v in row.items()})
        self.stats.edge_inputs += len(out)
        return out

    # ------------------------------------------------------------ transport
    def _ask(self, prompt: str) -> dict[str, Any] | None:
        """One chat completion; the parsed JSON object, or None (counted)."""
        import openai
        client, timeout = self._client_within_deadline()
        if client is None:
            return None
        self.stats.requests += 1
        try:
            resp = client.chat.completions.create(
                model=self.model, temperature=self.temperature, max_tokens=self.max_tokens,
                messages=[{"role": "system", "content": SYSTEM},
                          {"role": "user", "content": prompt}])
        except openai.APITimeoutError:
            # one unanswered request is enough: each further one would cost
            # as much of the budget, which the offline agents can use
            self.stats.timeouts += 1
            self.gave_up = True
            log.warning("llm: request timed out after %.1fs; not asked again in this run",
                        timeout)
            return None
        except openai.APIStatusError as exc:
            self.stats.http_errors += 1
            self.stats.errors.append(f"HTTP {exc.status_code}")
            log.warning("llm: HTTP %s from %s", exc.status_code, redact_url(self.base_url))
            return None
        except openai.APIError as exc:
            self.stats.http_errors += 1
            self.stats.errors.append(type(exc).__name__)
            log.warning("llm: %s from %s", type(exc).__name__, redact_url(self.base_url))
            return None
        except ValueError:   # a 200 whose body is not JSON (the client's json.loads)
            self.stats.replies += 1
            self.stats.invalid_json += 1
            log.warning("llm: the response body is not JSON")
            return None
        self.stats.replies += 1
        usage = getattr(resp, "usage", None)
        if usage is not None and usage.total_tokens:
            self.tokens_used += int(usage.total_tokens)
        try:
            content = resp.choices[0].message.content or ""
        except (AttributeError, IndexError, TypeError):
            content = ""
        parsed = parse_json_reply(content)
        if parsed is None:
            self.stats.invalid_json += 1
            log.warning("llm: reply is not a JSON object (%d chars)", len(content))
        return parsed

    def _client_within_deadline(self) -> tuple[Any, float]:
        """The client for one request, with a timeout of at most the time
        the run has left (no retry that would outlive it); (None, 0) when
        no time is left or the endpoint already let a request time out."""
        if self.gave_up:
            return None, 0.0
        if self.deadline is None:
            return self._client, self.timeout
        left = self.deadline - time.monotonic()
        if left <= MIN_REQUEST_SECONDS:
            return None, 0.0
        if left >= self.timeout * (self.max_retries + 1):
            return self._client, self.timeout
        return self._client.with_options(timeout=min(self.timeout, left), max_retries=0), \
            min(self.timeout, left)

    def _candidates(self, task: Task, reply: dict[str, Any] | None, parent: str | None
                    ) -> list[Candidate]:
        if reply is None:
            return []
        items = reply.get("candidates")
        if items is None and "code" in reply:
            items = [reply]
        if not isinstance(items, list):
            self.stats.invalid_json += 1
            return []
        out = []
        for item in items:
            code = strip_fences(item.get("code", "")) if isinstance(item, dict) else ""
            problem = invalid_code(task, code)
            if problem:
                self.stats.invalid_code += 1
                log.info("llm: dropped a candidate: %s", problem)
                continue
            rationale = str(item.get("rationale", ""))[:500]
            out.append(Candidate(task.level, code, self.name, rationale, parent))
        self.stats.candidates += len(out)
        return out


# ---------------------------------------------------------------- replies

_FENCE = re.compile(r"^```[a-zA-Z0-9_+-]*\n(.*?)\n?```\s*$", re.S)


def strip_fences(text: str) -> str:
    text = text.strip() if isinstance(text, str) else ""
    m = _FENCE.match(text)
    return (m.group(1) if m else text).strip() + "\n"


def parse_json_reply(content: str) -> dict[str, Any] | None:
    """The JSON object in a reply: the whole text, a fenced block, or the
    outermost braces (models wrap JSON in prose more often than not)."""
    texts = [content.strip(), strip_fences(content)]
    start, end = content.find("{"), content.rfind("}")
    if 0 <= start < end:
        texts.append(content[start:end + 1])
    for text in texts:
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            return value
    return None


def invalid_code(task: Task, code: str) -> str | None:
    """Why `code` cannot be a candidate for `task` (None when it can)."""
    if not code.strip():
        return "empty code"
    try:
        if task.level == "ir":
            from veriopt.ir.loader import load_text
            fn = load_text(code, "<llm>").functions.get(task.function)
            if fn is None or fn.is_declaration:
                return f"does not define @{task.function}"
        else:
            from veriopt.translation.c_frontend import load
            if task.function not in load("<llm>.c", code).functions:
                return f"does not define {task.function}"
    except BadInput as exc:
        return exc.message
    except Unsupported as exc:
        return f"unsupported: {exc.feature}"
    return None


# ---------------------------------------------------------------- prompts

def _clip(text: str, limit: int = MAX_FEEDBACK_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "\n... (truncated)"


def feedback_block(task: Task) -> str:
    """Compiler feedback: clang/LLVM -O3 output and missed-optimization remarks."""
    parts = []
    if task.baseline_ir:
        parts.append("What clang/LLVM -O3 makes of it (the baseline to beat):\n"
                     + _clip(task.baseline_ir))
    remarks = task.feedback.get("remarks") or []
    if remarks:
        parts.append("Missed-optimization remarks (-Rpass-missed):\n"
                     + "\n".join(remarks[:MAX_REMARKS]))
    return "\n\n".join(parts)


def propose_prompt(task: Task) -> str:
    lang = "LLVM IR" if task.level == "ir" else "C"
    return "\n\n".join(filter(None, [
        f"Optimize the function `{task.function}` ({lang}) for speed.",
        "Original:\n" + _clip(task.source),
        feedback_block(task),
        LEVEL_RULES[task.level].format(fn=task.function),
        ANSWER_FORMAT]))


def repair_prompt(task: Task, candidate: Candidate, verdict: Verdict) -> str:
    cex = verdict.counterexample
    facts: dict[str, Any] = {"verdict": verdict.status.value,
                             "error": verdict.error or verdict.reason}
    if cex is not None:
        facts.update(inputs=dict(cex.inputs), expected=cex.source_value,
                     actual=cex.target_value)
    return "\n\n".join(filter(None, [
        f"Your rewrite of `{task.function}` was rejected by the verifier.",
        "Original:\n" + _clip(task.source),
        "Your rewrite:\n" + _clip(candidate.code),
        "Verifier output:\n" + verdict.render(),
        "Counterexample (JSON): " + json.dumps(facts),
        "Fix the rewrite so it is correct on this input and on all others, still faster "
        "than the original.",
        LEVEL_RULES[task.level].format(fn=task.function),
        ANSWER_FORMAT]))


def parameter_names(task: Task) -> list[str]:
    """Names of the task's parameters when all are integers (else none:
    vectors, pointers and buffers need more than a number)."""
    if task.level == "c":
        return _c_parameter_names(task)
    try:
        from veriopt.ir.loader import load_text
        fn = load_text(task.source).functions[task.function]
    except (BadInput, Unsupported, KeyError):
        return []
    if any(not str(p.type).startswith("i") for p in fn.params):
        return []       # integers only: vectors and pointers need more than a number
    return [p.name for p in fn.params]


def _c_parameter_names(task: Task) -> list[str]:
    from veriopt.translation import c_smt
    from veriopt.translation.c_frontend import load
    from veriopt.translation.c_types import IntT
    try:
        program = load("<task>.c", task.source)
        params = c_smt.read_params(program, program.function(task.function))
    except Exception:  # unsupported C is the verifier's to report, not ours
        return []
    if not all(isinstance(t, IntT) for _, t in params):
        return []
    return [n for n, _ in params]


def inputs_prompt(task: Task, params: list[str]) -> str:
    example = json.dumps({"inputs": [{p: 0 for p in params}]})
    return "\n\n".join([
        f"Propose up to 16 edge-case inputs for `{task.function}` that are most likely to "
        "expose a wrong rewrite (overflow boundaries, zero, minus one, sign bits, shift "
        "widths).",
        "Function:\n" + _clip(task.source),
        f"Answer format: {example}, one object per input, integer values, keys exactly "
        + ", ".join(params) + "."])
