"""``bench/bench_load.py`` measures what it says: a target is asked once before it is timed and
must answer 200 with images, and a run with error answers fails instead of printing figures."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from emulator.server import EmulatorServer

BENCH = Path(__file__).parents[1] / "bench"
BODY = {"model": "gpt-image-2", "quality": "low", "size": "1024x1024"}


@pytest.fixture(scope="module")
def bench_load() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))  # the scripts import their ``common`` module by name
    try:
        import bench_load as module

        yield module
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


def test_a_target_that_answers_images_is_timed(
    bench_load: ModuleType, server: EmulatorServer
) -> None:
    bench_load.checked_target("emulator", server.base_url, bench_load.GENERATIONS, BODY)


@pytest.mark.parametrize(
    ("path", "body", "why"),
    [
        ("/v2/images/generations", BODY, "answered 404, not 200"),  # a path not served
        ("/v1/images/generations", {**BODY, "size": "7x7"}, "answered 400, not 200"),
        ("/_emulator/reset", BODY, "answered 200 without images"),  # 200, no images
    ],
)
def test_a_target_that_answers_errors_is_refused(
    bench_load: ModuleType, server: EmulatorServer, path: str, body: dict, why: str
) -> None:
    with pytest.raises(bench_load.NotAnswering, match=why):
        bench_load.checked_target("prism", server.base_url, path, body)


def test_the_targets_ask_each_at_its_own_path(bench_load: ModuleType, tmp_path: Path) -> None:
    prism = bench_load.lua_script(BODY, tmp_path, path=bench_load.PATHS["prism"]).read_text()
    ours = bench_load.lua_script(BODY, tmp_path).read_text()
    assert 'wrk.format("POST", "/images/generations"' in prism
    assert 'wrk.format("POST", "/v1/images/generations"' in ours


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk (apt-get install wrk)")
def test_a_run_with_error_answers_fails(
    bench_load: ModuleType, server: EmulatorServer, tmp_path: Path
) -> None:
    script = bench_load.lua_script(BODY, tmp_path, path="/v2/images/generations")  # 404 here
    with pytest.raises(bench_load.NotAnswering, match="answers were errors"):
        bench_load.wrk(server.base_url, script, 1, 1)
