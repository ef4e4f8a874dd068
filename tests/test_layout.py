"""The package keeps its layout by role (``emulator/`` holds only the faces users import or
run; the rest sits in sub-packages), its import directions, one home for error wording and
one for model facts, and nothing happens at import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.contract.catalog import CATALOG

PACKAGE = Path(__file__).parents[1] / "emulator"
FACES = {"__init__", "__main__", "app", "cli", "config", "server", "inprocess", "pytest_plugin",
         "recordings_drift"}  # fmt: skip
ROLES = ("api", "transport", "contract", "jobs", "render", "testdouble", "ui")


def modules(role: str | None = None) -> list[Path]:
    root = PACKAGE / role if role else PACKAGE
    return sorted(root.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text())
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def test_only_the_faces_sit_at_the_top() -> None:
    top = {path.stem for path in PACKAGE.glob("*.py")}
    assert top == FACES
    assert len(top) <= 10
    for role in ROLES:
        assert (PACKAGE / role / "__init__.py").exists(), role


def test_no_two_modules_share_a_file_name() -> None:
    """A name found in a traceback or a citation points to one file."""
    conventional = {"__init__", "__main__", "conftest"}
    seen: dict[str, list[str]] = {}
    for folder in ("emulator", "contract_tests", "tests", "bench"):
        for path in (PACKAGE.parent / folder).rglob("*.py"):
            if path.stem not in conventional:
                seen.setdefault(path.stem, []).append(str(path.relative_to(PACKAGE.parent)))
    assert {stem: paths for stem, paths in seen.items() if len(paths) > 1} == {}


def test_the_request_path_stays_readable() -> None:
    """No endpoint module over 450 lines; the Responses API draws through the pipeline's
    scheduling (the render workers and the per-core limit), never on its own."""
    for path in modules("api"):
        assert len(path.read_text().splitlines()) <= 450, path.name
    for path in (PACKAGE / "api" / "responses_endpoint").glob("*.py"):
        assert "render_images" not in path.read_text(), path.name


def test_every_module_s_tests_are_named_in_the_layout_doc() -> None:
    """``docs/layout.md`` says where each module's tests are, and those test files exist."""
    import re

    doc = (PACKAGE.parent / "docs" / "layout.md").read_text()
    table = doc[doc.index("## Where each module's tests are") :]
    listed: set[str] = set()
    for row in re.findall(r"^\| (`.+?) \| (.+) \|$", table, re.MULTILINE):
        for name in re.findall(r"`([\w/*]+)`", row[0]):
            listed.add(name)
        for test_file in re.findall(r"`(test_\w+\.py)`", row[1]):
            assert (PACKAGE.parent / "tests" / test_file).exists(), test_file
    wanted = set()
    for path in modules():
        if path.name == "__init__.py":
            continue
        name = "/".join(path.relative_to(PACKAGE).with_suffix("").parts)
        package = name.rsplit("/", 1)[0] + "/*"
        if name not in listed and package not in listed:
            wanted.add(name)
    assert wanted == set()


def test_the_contract_imports_no_web_framework() -> None:
    for path in modules("contract"):
        web = {name for name in imported(path) if name.split(".")[0] in ("starlette", "uvicorn")}
        assert not web, f"{path.name} imports {web}"


@pytest.mark.parametrize("role", ["contract", "jobs"])
def test_contract_and_jobs_import_nothing_from_above(role: str) -> None:
    above = ("api", "transport", "testdouble", "ui", *FACES - {"__init__"})
    for path in modules(role):
        for name in imported(path):
            parts = name.split(".")
            assert not (parts[0] == "emulator" and len(parts) > 1 and parts[1] in above), (
                f"{module_name(path)} imports {name}"
            )


def test_render_imports_nothing_of_the_emulator_above_it() -> None:
    for path in modules("render"):
        for name in imported(path):
            parts = name.split(".")
            if parts[0] == "emulator":
                assert parts[1] == "render", f"{module_name(path)} imports {name}"


def constructed(path: Path, name: str) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def test_error_bodies_are_worded_in_one_module() -> None:
    builders = PACKAGE / "contract" / "errors.py"
    assert constructed(builders, "APIError")
    elsewhere = {
        module_name(path): lines
        for path in modules()
        if path != builders and (lines := constructed(path, "APIError"))
    }
    assert elsewhere == {}


def worded_error_bodies(source: str) -> list[int]:
    """Lines of dict literals shaped as an error body (``{"error": {...}}``)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Dict)
        and any(
            isinstance(key, ast.Constant) and key.value == "error" and isinstance(value, ast.Dict)
            for key, value in zip(node.keys, node.values, strict=True)
        )
    ]


def test_no_module_but_errors_words_an_error_body() -> None:
    assert worded_error_bodies('body = {"error": {"message": "no"}}\n') == [1]
    builders = PACKAGE / "contract" / "errors.py"
    elsewhere = {
        module_name(path): lines
        for path in modules()
        if path != builders and (lines := worded_error_bodies(path.read_text()))
    }
    assert elsewhere == {}


# The modules that hold model facts as data: the catalog and its shapes (the response
# styles), its families (prices included), the text models and the dated changes.
MODEL_FACTS = {
    "catalog",
    "specs",
    "gpt_image_models",
    "text_models",
    "eras",
    "responses_api",
}
MODEL_NAMES = {name for name in CATALOG.models}


def model_name_literals(source: str) -> list[str]:
    """String literals naming a model, or a family prefix (``dall-e``, ``gpt-image``), in
    code: docstrings aside, and the catalog's response styles compared as such."""
    tree = ast.parse(source)
    skipped = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):  # ``spec.response_style == "dall-e"`` is a catalog value
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Attribute)
            and node.left.attr == "response_style"
        ):
            skipped.update(id(c) for c in node.comparators)
    return [
        f"{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and (node.value in MODEL_NAMES or node.value.rstrip("-") in ("dall-e", "gpt-image"))
    ]


def test_the_model_name_check_finds_what_it_looks_for() -> None:
    assert model_name_literals('if model.startswith("dall-e"):\n    pass\n')
    assert model_name_literals('DEFAULT_MODEL = "gpt-image-1.5"\n')
    assert not model_name_literals('if spec.response_style == "dall-e":\n    pass\n')
    assert not model_name_literals('"""Edits with gpt-image-1.5."""\n')


def test_model_facts_live_in_the_catalog() -> None:
    found = {
        module_name(path): literals
        for path in modules()
        if path.stem not in MODEL_FACTS and (literals := model_name_literals(path.read_text()))
    }
    assert found == {}


def test_nothing_happens_at_import() -> None:
    script = (
        "import logging, threading\n"
        "before = threading.active_count()\n"
        "import emulator.app, emulator.server, emulator.pytest_plugin\n"
        "assert threading.active_count() == before, threading.enumerate()\n"
        "assert not logging.getLogger('uvicorn.error').filters\n"
        "assert not logging.getLogger('python_multipart').filters\n"
        "print('clean')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "clean", result.stderr


def test_the_app_s_lifespan_installs_and_removes_its_log_settings() -> None:
    import logging

    from starlette.testclient import TestClient

    from emulator import create_app

    loggers = [logging.getLogger("uvicorn.error"), logging.getLogger("python_multipart")]
    before = [list(logger.filters) for logger in loggers]  # other apps may be running
    with TestClient(create_app()) as client:
        assert client.get("/_emulator/health").status_code == 200
        assert [len(logger.filters) for logger in loggers] == [len(b) + 1 for b in before]
    assert [logger.filters for logger in loggers] == before
