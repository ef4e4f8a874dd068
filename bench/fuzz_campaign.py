"""The long fuzz campaign behind ``tests/test_fuzz_schema.py`` and ``test_fuzz_multipart.py``.

Schemathesis draws positive and negative requests for each images operation from the
official OpenAPI document; a second strategy draws hostile multipart bodies for the upload
endpoints. Every case goes in-process to the emulator in strict and lenient mode. Printed:
cases, answers by status, server errors and response-schema violations, and the time.

    python bench/fuzz_campaign.py            # 1,000 cases per operation (500 per mode)
    python bench/fuzz_campaign.py --cases 5000 --seed 7
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemathesis.generation.modes import GenerationMode
from starlette.testclient import TestClient

from tests.fuzz_multipart import Body, multipart_bodies
from tests.test_fuzz_multipart import assert_api_answer
from tests.test_fuzz_schema import APPS, KEY, check_answer, schema


class Tally:
    def __init__(self, label: str) -> None:
        self.label = label
        self.cases = 0
        self.statuses: Counter[int] = Counter()
        self.server_errors = 0
        self.violations = 0
        self.examples: list[str] = []
        self.started = time.perf_counter()

    def record(self, status: int, check: Callable[[], None]) -> None:
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors += 1
        try:
            check()
        except AssertionError as failure:  # schemathesis' failures are AssertionErrors too
            self.violations += status < 500
            if len(self.examples) < 3:
                self.examples.append(str(failure)[:600])

    def report(self) -> None:
        seconds = time.perf_counter() - self.started
        statuses = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        print(
            f"{self.label:<42} cases {self.cases:>5}  answers {sum(self.statuses.values()):>5}"
            f"  5xx {self.server_errors}  violations {self.violations}  {seconds:6.1f} s"
        )
        print(f"{'':<42} by status: {statuses}")
        for example in self.examples:
            print("   ", example.replace("\n", "\n    "))


def run(strategy: st.SearchStrategy[Any], cases: int, seed_value: int, body: Callable) -> None:
    @seed(seed_value)
    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def campaign(drawn: Any) -> None:
        body(drawn)

    campaign()


def schema_campaign(cases_per_mode: int, seed_value: int) -> list[Tally]:
    tallies = []
    for operation in schema.get_all_operations():
        op = operation.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            tally = Tally(f"{op.method.upper()} {op.path} ({mode.value})")

            def one(case: Any, tally: Tally = tally) -> None:
                tally.cases += 1
                for app in APPS.values():
                    response = case.call(app=app, headers=KEY)
                    tally.record(response.status_code, lambda r=response: check_answer(case, r))

            run(op.as_strategy(generation_mode=mode), cases_per_mode, seed_value, one)
            tally.report()
            tallies.append(tally)
    return tallies


def multipart_campaign(cases: int, seed_value: int) -> list[Tally]:
    tallies = []
    clients = [TestClient(app, headers=KEY) for app in APPS.values()]
    for endpoint in ("edits", "variations"):
        tally = Tally(f"POST /images/{endpoint} (hostile multipart)")

        def one(body: Body, endpoint: str = endpoint, tally: Tally = tally) -> None:
            tally.cases += 1
            for client in clients:
                response = client.post(
                    f"/v1/images/{endpoint}",
                    content=body.data,
                    headers={"content-type": body.content_type.encode("utf-8")},
                )
                streamed = response.headers["content-type"] == "text/event-stream"
                check = (lambda: None) if streamed else (lambda r=response: assert_api_answer(r))
                tally.record(response.status_code, check)

        run(multipart_bodies(), cases, seed_value, one)
        tally.report()
        tallies.append(tally)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases per operation")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"fuzz campaign: {args.cases} cases per operation, strict and lenient, seed {args.seed}")
    tallies = schema_campaign(args.cases // 2, args.seed) + multipart_campaign(
        args.cases, args.seed
    )
    cases = sum(t.cases for t in tallies)
    answers = sum(sum(t.statuses.values()) for t in tallies)
    errors = sum(t.server_errors for t in tallies)
    violations = sum(t.violations for t in tallies)
    print(f"total: {cases} cases, {answers} answers, {errors} 5xx, {violations} violations")
    sys.exit(1 if errors or violations else 0)


if __name__ == "__main__":
    main()
