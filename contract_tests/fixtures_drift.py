"""Where do the fixtures, the emulator and the real API disagree today? One command:

    python -m contract_tests.fixtures_drift                       # fixtures vs the emulator
    OPENAI_API_KEY=sk-... python -m contract_tests.fixtures_drift --target real [--max-paid-calls 3]
    OPENAI_API_KEY=sk-... python -m contract_tests.fixtures_drift --target real --record

The emulator answers each fixture as of the day it describes (its ``as_of``); the real API
answers as of today. Differences are grouped by that day. With ``--target real`` every
fixture's request also goes to the real API, and the report
says, field by field, where the real answer departs from the fixture and from the
emulator. ``--record`` then writes the real answers into the fixtures (source "recorded",
today's date): review them with ``git diff``, fix the emulator until the tests pass, commit.
Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from .exchange import (
    FIXTURES,
    compare_answers,
    http_request,
    is_paid,
    load_fixtures,
    observed,
    runs_on,
)

REAL_API = "https://api.openai.com"
DRIFT_KEY = "sk-drift-report"


def _ask(
    http: httpx.Client, fixture: dict[str, Any], key: str, as_of: str | None = None
) -> dict[str, Any]:
    return observed(http.request(**http_request(fixture["request"], key, as_of)))


def _record(path: Path, fixture: dict[str, Any], answer: dict[str, Any]) -> None:
    today = datetime.date.today().isoformat()
    previous = fixture["source"]
    fixture = {
        **fixture,
        "source": {
            "kind": "recorded",
            "reference": f"recorded from the real API by contract_tests.fixtures_drift on {today}",
            "note": f"replaces: {previous['kind']} ({previous['reference']})",
        },
        "as_of": today,  # the real API answers as of today
        "response": answer,
    }
    path.write_text(json.dumps(fixture, indent=2, ensure_ascii=False) + "\n")


def run(args: argparse.Namespace, out: Any = sys.stdout) -> int:
    root = Path(args.fixtures)
    fixtures = load_fixtures(root)
    real: httpx.Client | None = None
    key = os.environ.get("OPENAI_API_KEY", "")
    if args.target == "real":
        if not key:
            print("--target real needs OPENAI_API_KEY", file=out)
            return 2
        real = httpx.Client(base_url=args.real_base_url, timeout=300)
        paid = sum(is_paid(f) for _, f in fixtures)
        print(
            f"{min(paid, args.max_paid_calls)} paid call(s) to the real API (of {paid}; "
            f"--max-paid-calls {args.max_paid_calls}); refusals are free",
            file=out,
        )

    from emulator.server import EmulatorServer

    differing = 0
    paid_made = 0
    from emulator import Config

    config = Config(api_keys=DRIFT_KEY)  # another key gets the real 401, as from the API
    with (
        EmulatorServer(config) as server,
        httpx.Client(base_url=server.base_url, timeout=60) as emu,
    ):
        era_counts: dict[str, list[int]] = {}
        for name, fixture in sorted(fixtures, key=lambda item: (item[1]["as_of"], item[0])):
            as_of = fixture["as_of"]
            if as_of not in era_counts:  # differences grouped by the era a fixture describes
                era_counts[as_of] = [0, 0]
                print(f"as of {as_of} (the emulator answers as of that day):", file=out)
            server.emulator.reset()
            emulated = _ask(emu, fixture, DRIFT_KEY, as_of)
            lines = [f"emulator: {d}" for d in compare_answers(fixture["response"], emulated)]
            if real is not None and not runs_on(fixture, "real"):
                lines.append("real: skipped (emulator-only)")
            elif real is not None:
                if is_paid(fixture) and paid_made >= args.max_paid_calls:
                    lines.append("real: skipped (over --max-paid-calls)")
                else:
                    paid_made += is_paid(fixture)
                    answer = _ask(real, fixture, key)
                    lines += [
                        f"real vs fixture: {d}"
                        for d in compare_answers(fixture["response"], answer)
                    ]
                    server.emulator.reset()
                    emulator_answer = _ask(emu, fixture, DRIFT_KEY, as_of)
                    lines += [
                        f"real vs emulator: {d}" for d in compare_answers(answer, emulator_answer)
                    ]
                    if args.record:
                        _record(root / f"{name}.json", fixture, answer)
            real_differs = any(not line.startswith("real: skipped") for line in lines)
            differing += real_differs
            era_counts[as_of][real_differs] += 1
            status = "DIFFERS" if real_differs else "ok"
            print(f"  {status:8} {name} ({fixture['source']['kind']})", file=out)
            for line in lines:
                print(f"             {line}", file=out)
    if real is not None:
        real.close()
    for as_of, (agree, differ) in era_counts.items():
        print(f"as of {as_of}: {agree} agree, {differ} differ", file=out)
    print(f"{len(fixtures) - differing} agree, {differing} differ", file=out)
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contract_tests.fixtures_drift", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--target", choices=("emulator", "real"), default="emulator")
    parser.add_argument(
        "--record", action="store_true", help="write the real answers into the fixtures"
    )
    parser.add_argument("--max-paid-calls", type=int, default=5)
    parser.add_argument("--real-base-url", default=REAL_API)
    parser.add_argument("--fixtures", default=str(FIXTURES))
    args = parser.parse_args(argv)
    if args.record and args.target != "real":
        parser.error("--record needs --target real")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
