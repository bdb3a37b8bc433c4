"""The embedded default case: every file valid, every number traceable, shipped in the wheel."""

import csv
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import gridimpact
from gridimpact.io.readers.embedded import DEFAULT_AS_OF, datapackage, resources, source_registry
from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import housing_defaults, load_population
from gridimpact.io.readers.temperature import load_temperature
from gridimpact.regions import SEED_REGIONS, default_registry
from gridimpact.resources import data_dir, seeds_dir

DATA = data_dir()
SOURCE_SPLIT = re.compile(r"\s+;\s+")


def rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_shipped_table_passes_its_schema():
    outages = load_outages(DATA / "outages.csv")
    assert set(outages.regions) == set(SEED_REGIONS)
    temperature = load_temperature(DATA / "temperature_daily.csv")
    assert set(temperature.regions) == set(SEED_REGIONS)
    hours = temperature.frame.groupby("pcode")["time"].agg(["min", "max", "count"])
    assert (hours["count"] == 51 * 24).all()  # 9 January – 28 February, every hour
    for name in ("population_current.csv", "population_cod_ps_2022.csv"):
        population = load_population(DATA / name)
        assert len(population.frame) == 27
    assert len(housing_defaults()) == 28  # 27 oblasts and the national row
    from gridimpact.io.readers.climatology import load_climatology

    load_climatology()


def test_the_region_registry_keeps_ocha_codes_apart_from_iso_codes():
    registry = default_registry()
    assert len(registry) == 27
    assert registry.resolve("UA80").name_en == "Kyiv" and registry.resolve("UA32").name_en == "Kyivska"
    assert registry.resolve("UA-30").pcode == "UA80"  # ISO code of Kyiv city, given with its dash
    for name, code in [("Kiev", "UA80"), ("Odessa", "UA51"), ("Kharkov", "UA63"), ("Донецьк", "UA14"),
                       ("Київ", "UA80"), ("Одеса", "UA51"), ("Харків", "UA63"), ("kyivska", "UA32"),
                       ("ODESKA", "UA51"), ("Kharkivs'ka", "UA63")]:
        assert registry.resolve(name).pcode == code, name
    with pytest.raises(LookupError, match="did you mean"):
        registry.resolve("Kharkiw")
    with pytest.raises(LookupError):
        registry.resolve("UA30")  # never derived from ISO 3166-2


def test_raion_and_hromada_codes_are_accepted_inside_a_known_oblast(tmp_path):
    registry = default_registry()
    hromada = registry.resolve("UA6302001")
    assert (hromada.admin_level, hromada.adm1_pcode, hromada.parent_pcode) == (3, "UA63", "UA63")
    assert registry.resolve("ua1402").admin_level == 2
    with pytest.raises(LookupError):
        registry.resolve("UA9902001")  # no oblast UA99
    reports = tmp_path / "outages.csv"
    reports.write_text("region,start,share_off,kind\nUA6302001,2026-01-10 00:00,0.5,scheduled\n", encoding="utf-8")
    assert load_outages(reports).regions == ["UA6302001"]


def test_every_data_file_is_described_with_sources_and_a_licence():
    described = {Path(r["path"]).name for r in resources()}
    shipped = {p.name for p in DATA.iterdir() if p.suffix in (".csv", ".geojson")}
    assert shipped == described
    for entry in resources():
        assert entry.get("sources"), entry["name"]
        assert entry.get("licenses") or datapackage().get("licenses"), entry["name"]
        assert entry.get("schema", {}).get("fields"), entry["name"]
    assert (DATA / "SOURCES.md").exists()


def test_every_cited_source_id_exists():
    registry = source_registry()
    for entry in resources():
        for row in rows(Path(entry["path"]).name):
            for column in ("source", "sources"):
                for part in SOURCE_SPLIT.split(row.get(column) or ""):
                    part = part.strip()
                    if part and re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", part):
                        assert part in registry, f"{entry['path']}: unknown source id {part!r}"
    for source in registry.values():
        assert source["confidence"] in {"H", "M", "L", "H/M", "M/L", "L-M"}, source["id"]


@pytest.mark.parametrize("name", ["outages.csv", "population_current.csv", "population_cod_ps_2022.csv",
                                  "housing.csv", "temperature_daily.csv", "climatology.csv", "observations.csv"])
def test_every_row_has_an_origin_and_a_confidence(name):
    for number, row in enumerate(rows(name), start=2):
        origin = row.get("source") or row.get("sources")
        assert origin and origin.strip(), f"{name} line {number}: no source"
        assert row.get("confidence", "").strip(), f"{name} line {number}: no confidence"


def test_estimates_say_so_and_how():
    for number, row in enumerate(rows("outages.csv"), start=2):
        if row["confidence"] == "L":
            assert row["note"].strip(), f"outages.csv line {number}: an L row must say what it is"
    for number, row in enumerate(rows("temperature_daily.csv"), start=2):
        assert row["quality"] != "observed" or row["confidence"] == "H", f"line {number}"
        if row["quality"] == "reconstructed":
            assert row["method"].strip(), f"temperature_daily.csv line {number}: reconstruction without method"
    for number, row in enumerate(rows("housing.csv"), start=2):
        assert row["method"].strip(), f"housing.csv line {number}"


def test_seeds_cite_their_facts():
    from gridimpact.io.readers.scenarios import seed_events

    events = seed_events()
    for required in ("announced-pause-2026-01-29", "kremlin-statement-2026-01-30", "observed-pause-2026-01-30"):
        assert required in events
    for event_id, event in events.items():
        assert event.get("citations"), event_id
        assert event.get("summary"), event_id


def test_builtin_pause_outcomes_follow_the_weighted_precedents():
    import tomllib

    from gridimpact.io.readers.scenarios import load_scenario
    from gridimpact.model.pauses import OUTCOMES

    document = tomllib.loads((seeds_dir() / "pause_outcomes.toml").read_text(encoding="utf-8"))
    precedents = {e["id"]: e for e in tomllib.loads((seeds_dir() / "precedents.toml").read_text(encoding="utf-8"))["events"]}
    counts = list(document["prior"])
    for entry in document["precedents"]:
        assert entry["id"] in precedents and entry["citations"] and entry["why"].strip()
        # "partial" in the precedent record is a pause that took hold and was breached
        assert {"partial": "breached", "failed": "failed", "held": "held"}[precedents[entry["id"]]["outcome"]] == entry["outcome"]
        counts[OUTCOMES.index(entry["outcome"])] += entry["weight"]
    # flat prior + moratorium ×1 and Easter ×0.5 breached, Victory Day ×0.5 and Mariupol ×0.25 failed
    assert counts == [1.75, 2.5, 1.0]
    assert all(any(c.startswith("Russia") for c in e.get("confirmed_by", [])) for e in precedents.values())
    for name in ("announced-pause", "kremlin-statement"):
        outcomes = load_scenario(name).pauses[0].outcomes
        assert outcomes.concentration == (1.75, 2.5, 1.0)
        assert outcomes.held == pytest.approx(1 / 5.25)


def test_the_default_case_is_ready_to_compare():
    inputs = gridimpact.default_inputs()
    assert inputs.regions == sorted(SEED_REGIONS) or set(inputs.regions) == set(SEED_REGIONS)
    assert inputs.as_of == DEFAULT_AS_OF
    basis = gridimpact.default_inputs(population_basis="cod-ps-2022")
    kyiv = basis.population.frame.set_index("pcode").loc["UA80", "population"]
    assert kyiv == 2_910_994
    current = inputs.population.frame.set_index("pcode").loc["UA14", "population"]
    assert 150_000 < current < 300_000  # the government-controlled part of Donetsk oblast


def test_the_wheel_ships_data_seeds_and_scenarios(tmp_path):
    pytest.importorskip("hatchling")
    root = Path(__file__).resolve().parents[1]
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--wheel-dir", str(tmp_path), str(root)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("gridimpact-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("gridimpact/_data/outages.csv", "gridimpact/_data/datapackage.json",
                     "gridimpact/_data/regions.csv", "gridimpact/_seeds/precedents.toml",
                     "gridimpact/builtin_scenarios/announced-pause.toml", "gridimpact/parameters.toml"):
        assert expected in names, expected
    target = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target),
                                str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    probe = ("import gridimpact.resources as r, gridimpact.regions as g, gridimpact.io.readers.scenarios as s; "
             "print(r.data_dir()); print(len(g.default_registry())); print(s.builtin_names())")
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {probe}"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[0].endswith("_data")
    assert lines[1] == "27"
    assert "announced-pause" in lines[2]
