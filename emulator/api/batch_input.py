"""A batch's input file read into its lines, or the file-level problems that fail the batch
(codes after the API's, inferred where no answer is on record)."""

from __future__ import annotations

import json
from typing import Any

from ..contract.errors import batch_file_problem as problem

MAX_LINES = 50_000
MAX_FILE_BYTES = 200 * 1024 * 1024


def read_lines(data: bytes, endpoint: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The input file's requests, or the file-level errors that fail the batch (worded in
    ``errors.BATCH_FILE_PROBLEMS``)."""
    problems: list[dict[str, Any]] = []
    if len(data) > MAX_FILE_BYTES:
        return [], [problem("file_too_large", None, limit=MAX_FILE_BYTES)]
    lines: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, text in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError:
            problems.append(problem("invalid_json_line", number))
            continue
        if not isinstance(line, dict) or not all(
            k in line for k in ("custom_id", "method", "url", "body")
        ):
            problems.append(problem("missing_required_parameter", number))
            continue
        if line["url"] != endpoint:
            problems.append(
                problem("mismatched_endpoint", number, "url", url=line["url"], endpoint=endpoint)
            )
        if line["method"] != "POST":
            problems.append(problem("invalid_method", number, "method"))
        custom_id = line["custom_id"]
        if not isinstance(custom_id, str) or not custom_id:
            shown = json.dumps(custom_id)
            problems.append(problem("invalid_custom_id", number, "custom_id", shown=shown))
            continue
        if custom_id in seen:
            problems.append(
                problem("duplicate_custom_id", number, "custom_id", custom_id=custom_id)
            )
        seen.add(custom_id)
        lines.append(line)
    if len(lines) > MAX_LINES:
        problems.append(problem("too_many_requests", None, limit=MAX_LINES))
    if not lines and not problems:
        problems.append(problem("empty_file", None))
    return lines, problems
