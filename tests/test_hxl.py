"""HXL hashtags of the comparison table: every column tagged, in valid HXL, one tag per meaning."""

import csv
import io
import re

import pytest

import gridimpact
from gridimpact.io.writers.hxl import hxl_tag
from gridimpact.io.writers.table_schema import _COMPARISON_FIELDS, table_fields
from gridimpact.io.writers.text import csv_text

# HXL 1.1: a hashtag is '#' and a name, then attributes '+name'; names start with a letter and
# hold lower-case letters, digits and underscores (https://hxlstandard.org/standard/1-1final/).
HXL_TAG = re.compile(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*")


@pytest.fixture(scope="module")
def comparison():
    return gridimpact.compare(members=2, days=2).comparison


def test_every_comparison_column_has_a_valid_hxl_tag(comparison):
    tags = {column: hxl_tag(column) for column in comparison.columns}
    assert all(tags.values()), [column for column, tag in tags.items() if not tag]
    for column, tag in tags.items():
        assert HXL_TAG.fullmatch(tag), (column, tag)


def test_the_new_comparison_columns_carry_the_change_tag_with_their_own_attribute():
    assert hxl_tag("difference") == "#indicator+value+change"
    assert hxl_tag("difference_se") == "#indicator+value+change+se"
    assert hxl_tag("difference_if_held") == "#indicator+value+change+if_held"
    assert hxl_tag("difference_if_held_se") == "#indicator+value+change+if_held+se"
    assert hxl_tag("difference_if_breached") == "#indicator+value+change+if_breached"
    assert hxl_tag("pause_days_held_mean") == "#indicator+num+pause_days_held"
    assert hxl_tag("pause_held_share") == "#indicator+num+pause_held_share"


def test_no_two_comparison_columns_share_a_tag(comparison):
    """A tag names one meaning: HXL tools select columns by tag, so a shared tag would merge two."""
    tags = [hxl_tag(column) for column in comparison.columns]
    assert len(set(tags)) == len(tags)


def test_the_csv_tag_row_and_the_table_schema_agree(comparison):
    reader = csv.reader(io.StringIO(csv_text(comparison, hxl=True)))
    header, tags = next(reader), next(reader)
    assert header == list(comparison.columns)
    fields = table_fields(comparison, ensemble=False)
    assert [field.get("gridimpact:hxl", "") for field in fields] == tags
    described = {field["name"]: field for field in fields}
    for column in _COMPARISON_FIELDS:
        assert column in header, column
        assert described[column]["description"], column
    assert described["difference"]["description"].startswith("The number to quote")
    assert described["pause_days_held_mean"]["unit"] == "days"
