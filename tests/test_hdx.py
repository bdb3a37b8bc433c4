"""hdx_dataset.json: written beside datapackage.json with the fields an HDX dataset needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gridimpact.regenerate import regenerate
from gridimpact.report.hdx import hdx_dataset, hdx_text

# Required dataset fields of HDX's CKAN schema, as the HDX Python API lists them
# (src/hdx/api/hdx_base_configuration.yaml in OCHA-DAP/hdx-python-api).
HDX_REQUIRED = ("name", "private", "title", "notes", "dataset_source", "owner_org", "maintainer", "dataset_date",
                "data_update_frequency", "groups", "license_id", "methodology", "tags")
# HDX's data_update_frequency codes (days; -2 as needed, -1 never, 0 live), from the same library.
HDX_FREQUENCIES = {"-2", "-1", "0", "1", "2", "7", "14", "30", "60", "90", "120", "180", "300", "365", "730"}


@pytest.fixture(scope="module")
def compare_outputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hdx")
    (folder / "regen.toml").write_text(
        '[run]\nmembers = 2\ndays = 3\nregions = ["Kyiv", "Odesa"]\n'
        '[outputs]\ndirectory = "out"\nformats = ["csv", "xlsx"]\nhxl = true\n', encoding="utf-8")
    regenerate(folder / "regen.toml")
    return folder / "out"


def test_hdx_metadata_sits_beside_the_datapackage_with_every_required_field(compare_outputs):
    metadata = json.loads((compare_outputs / "hdx_dataset.json").read_text(encoding="utf-8"))
    for key in HDX_REQUIRED:
        assert key in metadata, key
    assert metadata["owner_org"] is None and metadata["maintainer"] is None  # the publisher's account
    assert metadata["groups"] == [{"name": "ukr"}]
    assert metadata["subnational"] == "1"
    assert metadata["license_id"] == "cc-by"
    assert metadata["methodology"] == "Other" and "thermal model" in metadata["methodology_other"]
    assert metadata["data_update_frequency"] in HDX_FREQUENCIES
    assert "not observations" in metadata["caveats"]
    # The comparison's numbers are expected values, quoted with their standard error; only the
    # daily impacts are medians.
    assert "quoted with its Monte-Carlo standard error difference_se" in metadata["caveats"]
    assert "impacts table are ensemble medians" in metadata["caveats"]
    assert "comparison: the expected change of each metric" in metadata["notes"]
    # The compared window: as-of 2026-01-30 for 3 days.
    assert metadata["dataset_date"] == "[2026-01-30T00:00:00 TO 2026-02-01T23:59:59]"
    assert re.fullmatch(r"[a-z0-9_-]{2,100}", metadata["name"])
    assert metadata["name"] == "ukraine-gridimpact-compare-no-pause-announced-pause-2026-01-30-2026-02-01"
    assert {tag["name"] for tag in metadata["tags"]} >= {"energy", "hxl"}  # hxl: the CSVs carry the tag row
    assert metadata["gridimpact:pcode_level"] == [1]
    assert "administrative level 1 (UA51, UA80)" in metadata["notes"]
    assert "OCHA / UNFPA" in metadata["dataset_source"]  # the embedded population's source


def test_hdx_resources_are_the_data_files(compare_outputs):
    metadata = json.loads((compare_outputs / "hdx_dataset.json").read_text(encoding="utf-8"))
    names = [resource["name"] for resource in metadata["resources"]]
    assert names == ["comparison.csv", "comparison.xlsx", "impacts.csv"]  # one entry for the workbook
    assert {resource["format"] for resource in metadata["resources"]} == {"CSV", "XLSX"}
    assert all(resource["description"] for resource in metadata["resources"])
    on_disk = {p.name for p in compare_outputs.iterdir()} - {"datapackage.json", "hdx_dataset.json"}
    assert set(names) == on_disk


def test_an_estimate_covers_its_period():
    package = {"gridimpact:job": "estimate", "title": "gridimpact estimate: 2026-01-20 to 2026-01-22",
               "gridimpact:run": {"period": {"start": "2026-01-20", "end": "2026-01-22"}, "regions": ["UA80"]},
               "resources": [{"path": "daily.csv", "title": "Daily impacts"}, {"path": "daily.md"},
                             {"path": "report/figures/comparison.png"}]}
    metadata = hdx_dataset(package)
    assert [r["name"] for r in metadata["resources"]] == ["daily.csv"]  # not the Markdown table or figures
    assert metadata["title"] == "Ukraine: modelled power, heat and indoor-cold impacts — estimate: 2026-01-20 to 2026-01-22"
    assert metadata["dataset_date"] == "[2026-01-20T00:00:00 TO 2026-01-22T23:59:59]"
    assert metadata["name"] == "ukraine-gridimpact-estimate-2026-01-20-2026-01-22"
    assert "hxl" not in {tag["name"] for tag in metadata["tags"]}
    finer = hdx_dataset(package, pcodes=["UA8000000", "UA80"])
    assert finer["gridimpact:pcode_level"] == [1, 3]
    assert hdx_text(metadata) == hdx_text(hdx_dataset(package))  # deterministic text
    assert hdx_text(metadata).endswith("}\n")
