"""The documentation describes what the code does: every metric, parameter and example."""

import re
import tomllib
from pathlib import Path

import pytest

from gridimpact.io.readers.scenarios import scenario_from_document
from gridimpact.io.writers.database_schema import COMPARISON_VALUES
from gridimpact.io.writers.hxl import hxl_tag
from gridimpact.io.writers.table_schema import _COMPARISON_FIELDS
from gridimpact.model.comparison import COMPARED_METRICS
from gridimpact.model.metrics import METRICS
from gridimpact.model.params import specs

DOCS = Path(__file__).resolve().parents[1] / "docs"


def read(name):
    return (DOCS / name).read_text(encoding="utf-8")


def test_every_metric_is_documented_with_its_unit_and_hxl_tag():
    outputs = read("outputs.md")
    for metric in METRICS:
        row = next((line for line in outputs.splitlines() if line.startswith(f"| `{metric.name}` |")), None)
        assert row is not None, metric.name
        assert metric.unit in row and metric.hxl in row, metric.name
        assert metric.window in row and metric.description.replace("`", "").split(" (")[0] in row.replace("`", ""), metric.name
    for name in COMPARED_METRICS:
        assert name in outputs or name in read("scenarios.md"), name


def test_every_comparison_column_is_documented_with_its_hxl_tag_and_in_the_database_section():
    outputs = read("outputs.md")
    section = outputs[outputs.index("## `comparison.*` (compare)"):outputs.index("## `hourly.nc`")]
    assert "**Quote `difference` with its `difference_se`**" in section
    for column in _COMPARISON_FIELDS:
        row = next((line.split("|") for line in section.splitlines()
                    if line.startswith("| `") and f"`{column}`" in line.split("|")[1]), None)
        assert row is not None, column
        tag = hxl_tag(column)                # a second column of a row may abbreviate: `+p90`
        assert tag in row[3] or f"`+{tag.rsplit('+', 1)[-1]}`" in row[3], column
    table = section[section.index("| column |"):]
    assert "median" not in table  # the comparison's values are expected values
    database = outputs[outputs.index("`comparison` — one row per run"):outputs.index("`impacts_long` — a view")]
    listed = re.findall(r"`([a-z_0-9]+)`", database)
    assert [name for name in dict.fromkeys(listed) if name in COMPARISON_VALUES] == list(COMPARISON_VALUES)


def test_every_parameter_is_in_the_model_card_with_its_default():
    model = read("model.md")
    for spec in specs().values():
        row = next((line for line in model.splitlines() if line.startswith(f"| `{spec.name}` |")), None)
        assert row is not None, spec.name
        assert f"| {spec.value:g} |" in row, spec.name


def test_the_scenario_example_in_the_docs_is_valid():
    text = read("scenarios.md")
    block = next(b for b in re.findall(r"```toml\n(.*?)```", text, flags=re.S) if "[[pauses]]" in b)
    scenario = scenario_from_document(tomllib.loads(block), "docs example")
    assert scenario.name == "pause-kharkiv-odesa"
    assert scenario.pauses[0].regions == ("UA63", "UA51")
    assert scenario.strikes.probability("UA63") == 0.7


@pytest.mark.parametrize("name", ["architecture.md", "inputs.md", "model.md", "outputs.md", "scenarios.md",
                                  "performance.md"])
def test_the_documents_exist_and_name_no_local_paths(name):
    text = read(name)
    assert len(text) > 1000
    assert not re.search(r"/(work|tmp|home|root)/", text), name


def test_every_reference_to_a_document_points_at_a_file():
    root = DOCS.parent
    texts = [p for pattern in ("*.md", "gridimpact/**/*.py", "gridimpact/**/*.toml", "examples/**/*", "data/*.json",
                               "docs/*.md", "seeds/*")
             for p in root.glob(pattern) if p.is_file()]
    pattern = re.compile(r"(?<![\w\-/])(?:docs|data|seeds|examples)/[\w\-]+\.(?:md|toml|csv|json|py)")
    for path in texts:
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines():
            if re.search(r"github|commit", line, flags=re.I):
                continue  # a file in another repository
            for reference in pattern.findall(line):
                assert (root / reference).exists(), f"{path.relative_to(root)} refers to missing {reference}"


def test_every_module_is_listed_in_the_architecture_index():
    text = read("architecture.md")
    index = text[text.index("## Every module"):text.index("## Contracts")]
    listed = set(re.findall(r"^\| `([\w/]+\.py)` \|", index, flags=re.M))
    package = DOCS.parent / "gridimpact"
    modules = {str(p.relative_to(package)) for p in package.rglob("*.py") if p.name != "__init__.py"}
    assert modules - listed == set(), "modules missing from docs/architecture.md"
    assert listed - modules == set(), "docs/architecture.md lists modules that do not exist"


def test_every_module_the_documents_name_exists():
    root = DOCS.parent
    # the project's own folders only: a virtual environment inside the checkout is not the project
    paths = [str(p.relative_to(root)) for folder in ("gridimpact", "tests", "benchmarks", "data", "examples")
             for p in (root / folder).rglob("*.py")]
    files = {Path(p).name for p in paths} | set(paths) | {p.removeprefix("gridimpact/") for p in paths}
    examples = {"io/readers/my_source.py"}  # the how-to's new reader, written by the reader of the how-to
    for path in [root / "README.md", *sorted(DOCS.glob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"github|commit", line, flags=re.I):
                continue  # a file in another repository
            for name in re.findall(r"`((?:(?:gridimpact|model|io|cli|report|regenerate|tests|benchmarks|data|examples)/"
                                   r"[\w/]*)?[\w\-]+\.py)`", line):
                assert name in files or name in examples, f"{path.name}:{number} names missing {name}"
