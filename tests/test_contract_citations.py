"""The contract the code cites is in the repository: every "contract §N" in the package, the
fixtures and the tests names a heading of ``docs/contract.md``, every source tag they use is in
its sources table, and nothing cites a document the repository does not hold."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
CONTRACT = ROOT / "docs" / "contract.md"
SECTION = re.compile(r"§ ?(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)
SOURCE_TAG = re.compile(r"\b(?:SDK-\d+\.\d+|S-\d{4}|S-HEAD|GUIDE-\d+|VIS-[A-C])\b")
OUTSIDE = re.compile(r"design\.md|\.\./shared|shared/reference|reference/contract")


def citing_files() -> list[Path]:
    files = [*(ROOT / "emulator").rglob("*.py"), *(ROOT / "fixtures").rglob("*.json")]
    files += [*(ROOT / "tests").glob("*.py"), *(ROOT / "contract_tests").glob("*.py")]
    files += [path for path in (ROOT / "docs").glob("*.md") if path != CONTRACT]
    return [path for path in files if path.name != Path(__file__).name]


def headings() -> set[str]:
    return set(HEADING.findall(CONTRACT.read_text()))


def defined_tags() -> set[str]:
    text = CONTRACT.read_text()
    sources = text[text.index("## 0. Sources") : text.index("## 1.")]
    tags = set(re.findall(r"^\| ([A-Z][A-Za-z0-9./-]*) \|", sources, re.MULTILINE))
    return tags | {f"VIS-{letter}" for letter in "ABC"} if "VIS-A/B/C" in tags else tags


def test_the_contract_has_the_sections_the_code_leans_on() -> None:
    assert {"1", "2.1", "3.3", "8.1", "9.2", "11.2", "14.1", "14.6"} <= headings()


def test_every_cited_section_has_its_heading() -> None:
    known = headings()
    missing = {
        f"{path.relative_to(ROOT)}: §{number}"
        for path in citing_files()
        for number in SECTION.findall(path.read_text())
        if number not in known
    }
    assert missing == set()


def test_every_source_tag_is_in_the_sources_table() -> None:
    known = defined_tags()
    assert {"S-2605", "SDK-1.99", "GUIDE-26", "VIS-C"} <= known
    undefined = {
        f"{path.relative_to(ROOT)}: {tag}"
        for path in [*citing_files(), CONTRACT]
        for tag in SOURCE_TAG.findall(path.read_text())
        if tag not in known
    }
    assert undefined == set()


def test_nothing_cites_a_document_outside_the_repository() -> None:
    outside = {
        f"{path.relative_to(ROOT)}: {match}"
        for path in [*citing_files(), ROOT / "README.md"]
        for match in OUTSIDE.findall(path.read_text())
    }
    assert outside == set()


def test_the_checks_find_what_they_look_for() -> None:
    assert SECTION.findall("contract §9.2 row 4, §14") == ["9.2", "14"]
    assert SOURCE_TAG.findall("(S-2605 and SDK-3.54; S-HEAD)") == ["S-2605", "SDK-3.54", "S-HEAD"]
    assert OUTSIDE.findall("see design.md") == ["design.md"]
