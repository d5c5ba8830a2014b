"""The GeoNames gazetteer: names, normalisation, scanning, disambiguation, cache.

The session fixture builds a partial gazetteer (the countries below) once into
a temporary directory, from the data of the installed pip packages: no network.
"""

import logging
import os
import sqlite3
import threading
from collections import Counter

import pytest
from shipped import edit, shipped_copy

from coder.gazetteer import (
    Gazetteer,
    GazetteerError,
    GeoPlace,
    build,
    cache_path,
    disambiguate,
    normalize_name,
    open_gazetteer,
)
from coder.gazetteer.store import stop_words
from coder.text.tokens import tokenize

# the places of the tests and the namesakes that make them ambiguous
COUNTRIES = ["IQ", "SY", "ML", "YE", "CD", "NG", "LY", "LB", "UA", "PL", "PH", "GR", "US", "GB"]


@pytest.fixture(scope="session")
def gaz(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gazetteer")
    build(directory, countries=COUNTRIES)
    g = open_gazetteer(directory, countries=COUNTRIES, build_if_missing=False)
    yield g
    g.close()


def one(g, name, iso3, kind="town"):
    """The single candidate of ``name`` in ``iso3`` of that kind."""
    found = [p for p in g.lookup(name) if p.iso3 == iso3 and p.kind == kind]
    assert len(found) == 1, (name, g.lookup(name))
    return found[0]


# -- normalisation ------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Al Qā’im", "al-Qaim"), ("Al Qa'im", "AL QAIM"), ("Ar-Raqqah", "ar Raqqah"), ("Ālbū Kamāl", "Albu Kamal"),
    ("Deir ez-Zor", "Deir el Zor"), ("Ma'rib", "Marib"), ("Łódź", "Lodz"), ("Kharkiv’s", "Kharkiv's"),
])
def test_spellings_meet_after_normalisation(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_normalisation_keeps_words_apart():
    assert normalize_name("Deir ez-Zor") == "deir al zor"
    assert normalize_name("  Abu   Kamal ") == "abu kamal"
    assert normalize_name("As") == "as"  # an article alone is a word


# -- lookups --------------------------------------------------------------------

@pytest.mark.parametrize("names, iso3", [
    (["Albu Kamal", "Abu Kamal", "Bukamal", "Al-Bukamal", "Ālbū Kamāl"], "SYR"),
    (["al-Qaim", "Al Qa'im", "Al Qaim", "Qaim", "al Qa’im"], "IRQ"),
    (["Rawa", "Rawah"], "IRQ"),
    (["Mosul", "Al Mawsil"], "IRQ"),
    (["Raqqa", "Ar-Raqqah", "Ar Raqqah", "Raqqah", "al-Raqqa"], "SYR"),
    (["Deir ez-Zor", "Dayr az Zawr", "Deir al-Zor", "Deir ez Zor"], "SYR"),
    (["Kidal"], "MLI"),
    (["Marib", "Ma'rib", "Ma’rib"], "YEM"),
    (["Goma"], "COD"),
    (["Maiduguri"], "NGA"),
    (["Kharkiv", "Kharkov", "Charkow"], "UKR"),
])
def test_every_spelling_finds_the_same_town(gaz, names, iso3):
    towns = {one(gaz, name, iso3).geonameid for name in names}
    assert len(towns) == 1


def test_a_town_record_carries_what_acled_needs(gaz):
    town = one(gaz, "Albu Kamal", "SYR")
    assert (town.kind, town.iso2, town.iso3, town.country) == ("town", "SY", "SYR", "Syria")
    assert town.admin1 == "Dayr az Zawr"
    assert town.geo_precision == 1
    assert town.population > 10_000
    assert abs(town.latitude - 34.45) < 0.1 and abs(town.longitude - 40.92) < 0.1
    place = town.to_place()
    assert (place.name, place.iso3, place.geo_precision, place.kind) == (town.name, "SYR", 1, "town")


def test_regions_and_countries_are_records_too(gaz):
    region = one(gaz, "Anbar", "IRQ", kind="region")
    assert region.geo_precision == 3 and region.admin1 == region.name
    assert 31 < region.latitude < 35 and 39 < region.longitude < 45
    assert one(gaz, "Borno State", "NGA", kind="region").name == "Borno"
    iraq = gaz.country("IRQ")
    assert (iraq.kind, iraq.name, iraq.iso2, iraq.geo_precision, iraq.admin1) == ("country", "Iraq", "IQ", 3, "")
    with pytest.raises(KeyError):
        gaz.country("XXX")


def test_candidates_come_most_populous_first(gaz):
    places = gaz.lookup("Tripoli")
    assert {"LBY", "LBN", "GRC", "USA"} <= {p.iso3 for p in places}
    pops = [p.population for p in places]
    assert pops == sorted(pops, reverse=True)
    assert gaz.lookup("Xyzzyville") == []
    assert gaz.lookup("") == []


def test_the_article_is_dropped_only_where_it_is_used(gaz):
    # "Qaim" finds Al Qa'im (Iraq); "Paso" does not find El Paso (United States)
    assert any(p.iso3 == "IRQ" for p in gaz.lookup("Qaim"))
    assert not any(p.name == "El Paso" and p.iso3 == "USA" for p in gaz.lookup("Paso"))
    assert any(p.name == "El Paso" and p.iso3 == "USA" for p in gaz.lookup("El Paso"))


def test_country_names(gaz):
    assert gaz.country_of("Syria").iso3 == "SYR"
    assert gaz.country_of("DR Congo").iso3 == "COD"
    assert gaz.country_of("DRC").iso3 == "COD"
    assert gaz.country_of("Britain").iso3 == "GBR"
    assert gaz.country_of("US").iso3 == "USA"
    assert gaz.country_of("U.S.").iso3 == "USA"
    assert gaz.country_of("Mosul") is None


# -- disambiguation -------------------------------------------------------------

def test_tripoli_follows_the_countries_of_the_document(gaz):
    candidates = gaz.lookup("Tripoli")
    assert disambiguate(candidates, Counter({"LBN": 2, "SYR": 1})).iso3 == "LBN"
    assert disambiguate(candidates, Counter({"LBY": 1})).iso3 == "LBY"
    # most mentions win
    assert disambiguate(candidates, Counter({"LBY": 1, "LBN": 3})).iso3 == "LBN"
    # Libya's Tripoli is not ten times Lebanon's: no hint, no answer
    assert disambiguate(candidates, Counter()) is None
    # the town, not the region of the same name
    assert disambiguate(candidates, {"LBY": 1}).kind == "town"


def test_a_much_larger_namesake_wins_without_a_hint(gaz):
    goma = disambiguate(gaz.lookup("Goma"), {})
    assert (goma.iso3, goma.kind) == ("COD", "town")
    assert disambiguate(gaz.lookup("Mosul"), {}).iso3 == "IRQ"
    # one country: the town before the region of the same name
    for name, iso3 in [("Kidal", "MLI"), ("Kharkiv", "UKR"), ("Raqqa", "SYR"), ("Deir ez-Zor", "SYR")]:
        place = disambiguate(gaz.lookup(name), {})
        assert (place.iso3, place.kind, place.geo_precision) == (iso3, "town", 1), name


def test_rawa_needs_a_hint(gaz):
    # Rawa Mazowiecka (Poland) is also "Rawa"
    assert disambiguate(gaz.lookup("Rawa"), {}) is None
    assert disambiguate(gaz.lookup("Rawa"), {"IRQ": 1}).name == "Rāwah"


def _place(name, iso3, pop, kind="town"):
    return GeoPlace(1, kind, name, iso3[:2], iso3, iso3, "", "", "", 0.0, 0.0, pop, 1 if kind == "town" else 3)


def test_disambiguation_rules_on_made_up_places():
    a, b = _place("X", "AAA", 200_000), _place("X", "BBB", 10_000)
    assert disambiguate([a, b], {}) is a  # 20 times larger
    assert disambiguate([a, _place("X", "BBB", 50_000)], {}) is None  # 4 times
    assert disambiguate([a, b], {"BBB": 1}) is b  # a hint beats size
    assert disambiguate([a, b], {"CCC": 5}) is a  # a hint for no candidate is no hint
    assert disambiguate([a, _place("X", "BBB", 0)], {}) is a  # unknown counts as 1,000
    assert disambiguate([_place("X", "AAA", 5_000), _place("X", "BBB", 0)], {}) is None
    assert disambiguate([], {}) is None
    country = _place("X", "AAA", 1_000, kind="country")
    assert disambiguate([a, country], {}) is country


# -- scanning text --------------------------------------------------------------

def found(gaz, text):
    toks = tokenize(text)
    return [(text[toks[s].start: toks[e - 1].end], places) for s, e, places in gaz.find(toks)]


def test_find_names_in_a_sentence(gaz):
    hits = found(gaz, "Iraqi forces captured al-Qaim and Rawa from Islamic State, then moved on "
                      "Albu Kamal and Deir ez-Zor in Syria.")
    assert [h for h, _ in hits] == ["al-Qaim", "Rawa", "Albu Kamal", "Deir ez-Zor", "Syria"]
    assert hits[0][1][0].iso3 == "IRQ"
    assert hits[-1][1][0].kind == "country"


def test_stop_listed_words_are_not_places(gaz):
    text = ("Police said on Sunday that the Army and Reuters reported in March and May that "
            "President Assad was in Nice. Reading the report, Mobile phones and a Split vote, "
            "Say what. Man of the match. Bar none. Of course.")
    assert found(gaz, text) == []
    words = stop_words()
    for w in ["of", "police", "mobile", "say", "bar", "man", "nice", "split", "reading", "sunday", "march",
              "may", "august", "president", "army", "state", "islamic", "reuters", "monday", "december"]:
        assert w in words, w


def test_names_must_be_capitalised_like_names(gaz):
    assert found(gaz, "they walked to mosul and back") == []
    hits = found(gaz, "in al Qaim, as-Suwayda, Ar-Raqqah, MOSUL and Dayr az Zawr")
    assert [h for h, _ in hits] == ["al Qaim", "as-Suwayda", "Ar-Raqqah", "MOSUL", "Dayr az Zawr"]
    # a lower-case particle standing apart starts no name unless it is an Arabic article
    assert [h for h, _ in found(gaz, "Charles de Gaulle and as Mosul fell")] == ["Mosul"]


def test_apostrophes_possessives_and_abbreviations(gaz):
    hits = found(gaz, "Fighting near Ma'rib and Al Qa’im spread to Kharkiv's outskirts, U.S. officials said.")
    assert [h for h, _ in hits] == ["Ma'rib", "Al Qa’im", "Kharkiv", "U.S."]


def test_sentence_initial_english_words_are_not_articles(gaz):
    hits = found(gaz, "As Raqqa fell, the fighters fled.")
    assert [h for h, _ in hits] == ["Raqqa"]


def test_a_word_after_a_title_or_first_name_is_not_a_place(gaz):
    assert [h for h, _ in found(gaz, "He met President Assad and General Haftar in Tripoli.")] == ["Tripoli"]
    assert [h for h, _ in found(gaz, "Clashes in Northern Raqqa.")][-1] == "Raqqa"


def test_longest_name_wins(gaz):
    hits = found(gaz, "Aid reached North Kivu and the Gaza Strip and Bosnia and Herzegovina.")
    assert [h for h, _ in hits][0] == "North Kivu"
    assert hits[0][1][0].kind == "region"


# -- the cache ------------------------------------------------------------------

SMALL = ["IQ"]


@pytest.fixture(scope="session")
def small(gaz, tmp_path_factory):
    """A pristine one-country cache file, and its rows (for quick rebuilds),
    cut from the session's build."""
    con = sqlite3.connect(gaz.path)
    places = con.execute("SELECT * FROM place WHERE iso2 = 'IQ' ORDER BY id").fetchall()
    names = set(con.execute("SELECT n.* FROM name n JOIN place p ON p.id = n.place WHERE p.iso2 = 'IQ'"))
    con.close()
    directory = tmp_path_factory.mktemp("small")
    import coder.gazetteer.builder as build_module

    real, build_module.collect = build_module.collect, lambda subset=(): (places, names)
    try:
        path = build(directory, countries=SMALL)
    finally:
        build_module.collect = real
    return path, (places, names)


@pytest.fixture
def quick_builds(monkeypatch, small):
    """Builds that reuse the rows of ``small`` instead of reading GeoNames again
    (the reading is tested by the session fixtures), run in this process."""
    import coder.gazetteer.builder as build_module
    import coder.gazetteer.store as store_module

    calls = []

    def collect(subset=()):
        calls.append(subset)
        return small[1]

    monkeypatch.setattr(build_module, "collect", collect)
    monkeypatch.setattr(store_module, "_build_in_child",
                        lambda cache_dir, countries: build_module.build(cache_dir, countries=countries))
    return calls


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path))
    assert cache_path().parent == tmp_path
    assert cache_path(tmp_path / "x").parent == tmp_path / "x"
    assert cache_path(countries=["IQ"]) != cache_path()
    monkeypatch.delenv("CODER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_path().parent == tmp_path / "xdg" / "coder"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_path().parent.parts[-2:] == (".cache", "coder")


def test_cache_is_built_at_first_use_and_rebuilt_when_deleted(tmp_path, small):
    path = cache_path(tmp_path, SMALL)
    path.write_bytes(small[0].read_bytes())
    with open_gazetteer(tmp_path, countries=SMALL) as g:
        assert g.path == path and one(g, "Mosul", "IRQ").population > 1_000_000
        assert g.meta["complete"] == "1" and g.meta["subset"] == "IQ"
    path.unlink()
    with pytest.raises(GazetteerError):
        open_gazetteer(tmp_path, countries=SMALL, build_if_missing=False)
    with open_gazetteer(tmp_path, countries=SMALL) as g:  # a real build, in a child process
        assert one(g, "Mosul", "IRQ")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [path.name]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign", "unfinished"])
def test_a_corrupt_cache_is_rebuilt_not_a_crash(tmp_path, caplog, quick_builds, small, damage):
    path = cache_path(tmp_path, SMALL)
    data = small[0].read_bytes()
    if damage == "garbage":
        path.write_bytes(b"this is not a database\n" * 100)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        con = sqlite3.connect(path)
        if damage == "foreign":  # a whole SQLite file that is not a gazetteer
            con.execute("CREATE TABLE t (x)")
        else:  # a gazetteer whose build did not finish
            con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            con.execute("INSERT INTO meta VALUES ('format', '1')")
        con.commit()
        con.close()
    with caplog.at_level(logging.WARNING, logger="coder.gazetteer"):
        with open_gazetteer(tmp_path, countries=SMALL) as g:
            assert one(g, "Al Qaim", "IRQ")
    assert "rebuilding" in caplog.text
    assert len(quick_builds) == 1
    path.write_bytes(b"junk")
    with pytest.raises(GazetteerError, match="unusable"):
        open_gazetteer(tmp_path, countries=SMALL, build_if_missing=False)


def test_a_valid_cache_is_not_rebuilt(tmp_path, quick_builds):
    build(tmp_path, countries=SMALL)
    build(tmp_path, countries=SMALL)
    open_gazetteer(tmp_path, countries=SMALL).close()
    assert len(quick_builds) == 1
    build(tmp_path, countries=SMALL, force=True)
    assert len(quick_builds) == 2


def test_concurrent_builders_leave_one_whole_file(tmp_path, quick_builds):
    errors = []

    def run():
        try:
            build(tmp_path, countries=SMALL)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(quick_builds) == 1  # the others waited for the lock, then found the file
    files = sorted(p.name for p in tmp_path.iterdir())
    assert [f for f in files if f.endswith(".sqlite")] == [cache_path(tmp_path, SMALL).name]
    assert not [f for f in files if f.endswith(".tmp")]
    with Gazetteer(cache_path(tmp_path, SMALL)) as g:
        assert g.lookup("Mosul")


def test_the_cache_file_is_opened_read_only(gaz):
    before = os.stat(gaz.path).st_mtime_ns
    gaz.lookup("Mosul")
    gaz.find(tokenize("Mosul and Raqqa"))
    assert os.stat(gaz.path).st_mtime_ns == before
    with pytest.raises(sqlite3.OperationalError):
        gaz._con.execute("CREATE TABLE x (y)")


# -- a cache directory that cannot be written (issue 19, item 7)


def _coder(args, env, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "coder", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=600)


def _corpus(path, n):
    import json

    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"d{i}", "date": "2017-11-03",
                                "text": "Iraqi forces captured Kyaukpyu and Rawa on Friday."}) + "\n")


def test_an_unwritable_cache_builds_the_gazetteer_once_in_a_temporary_directory(tmp_path):
    """CODER_CACHE_DIR that cannot be written: one build, in a temporary
    directory the workers share, one note, every document coded, and the
    directory removed at the end (it was: every document skipped as
    'coding-failed (a bug)', the build tried again for each)."""
    import json

    (tmp_path / "file").write_text("")
    env = dict(os.environ, CODER_CACHE_DIR=str(tmp_path / "file" / "cache"))
    _corpus(tmp_path / "news.jsonl", 400)
    result = _coder(["run", "news.jsonl", "-o", "out.csv", "--report", "run.json", "-j", "2"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    note, summary = result.stderr.splitlines()
    assert note.startswith(f"note: the cache directory {tmp_path / 'file' / 'cache'} cannot be written (Not a "
                           "directory): the gazetteer was built in the temporary directory ")
    assert note.endswith(" for this run only (about 15 s each run); set CODER_CACHE_DIR to a directory you can "
                         "write to keep it")
    assert summary.startswith("documents: 400 read, 400 coded (400 with events, 0 without), 0 skipped;")
    report = json.loads((tmp_path / "run.json").read_text())
    assert [n["code"] for n in report["notes"]] == ["cache-unwritable"]
    temporary = note.split("temporary directory ")[1].split(" for this run")[0]
    assert not os.path.exists(temporary)
    rows = (tmp_path / "out.csv").read_text()
    assert ",Rawa,Anbar,Rawah District,,Iraq,IRQ," in rows  # the gazetteer's place


def test_no_home_directory_builds_the_gazetteer_in_a_temporary_directory(tmp_path):
    """No $HOME and no password entry (a container's arbitrary uid)."""
    script = (
        "import pathlib, sys\n"
        "def no_home(*a):\n"
        "    raise RuntimeError('Could not determine home directory.')\n"
        "pathlib.Path.home = classmethod(no_home)\n"
        "from coder.cli import main\n"
        "sys.argv = ['coder', 'run', 'news.jsonl', '-j', '1']\n"
        "main()\n"
    )
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "CODER_CACHE_DIR", "XDG_CACHE_HOME")}
    env["CODER_NO_CACHE"] = "1"  # the compiled-codebook cache is not what this test is about
    _corpus(tmp_path / "news.jsonl", 2)
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                            check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    note, summary = result.stderr.splitlines()
    assert note.startswith("note: there is no cache directory: no home directory (Could not determine home "
                           "directory.): the gazetteer was built in the temporary directory ")
    assert "0 skipped" in summary and ",Rawa,Anbar,Rawah District,,Iraq,IRQ," in result.stdout


def test_a_gazetteer_that_cannot_be_built_stops_the_run_once(tmp_path, monkeypatch):
    """Not even a temporary directory: one line, exit status 2, before any
    document (not one 'coding-failed' per document)."""
    import tempfile

    from typer.testing import CliRunner

    from coder.cli import app

    (tmp_path / "file").write_text("")
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "file" / "cache"))
    monkeypatch.delenv("CODER_GAZETTEER_TMPDIR", raising=False)

    def no_room(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_room)
    _corpus(tmp_path / "news.jsonl", 5)
    result = CliRunner().invoke(app, ["run", str(tmp_path / "news.jsonl"), "-j", "1"])
    assert result.exit_code == 2
    from coder.codebook import default_codebook_path

    assert result.stderr == (
        f"error: {default_codebook_path()}: settings.gazetteer: the cache directory {tmp_path / 'file' / 'cache'} "
        "cannot be written (Not a directory), and no temporary directory can be made either (No space left on "
        "device): set CODER_CACHE_DIR to a directory you can write\n")


# -- places that take what they lack from the gazetteer (issue 19, item 17)


def _codebook_with_places(tmp_path, entries: str):
    """A copy of the shipped codebook with ``entries`` first under ``places:``
    (in its file of places, ``default/places.yaml``); the main file."""
    path = shipped_copy(tmp_path, "mine.yaml")
    edit(path, "codebook: default", "codebook: mine")
    edit(tmp_path / "default" / "places.yaml", "\nplaces:\n", "\nplaces:\n" + entries)
    return path


def _coded(path, text, date="2024-01-10"):
    from coder.codebook import load_codebook
    from coder.match.compile import compile_codebook
    from coder.pipeline import code_document
    from coder.text.document import Document

    records, _ = code_document(compile_codebook(load_codebook(path)), Document("d", text, date))
    return records


def test_a_place_entry_can_just_add_a_name_to_a_gazetteer_place(tmp_path, gazetteer_built):
    """The user copied coordinates, admin1 and iso3 by hand to add the
    spelling Kyaukphyu to the gazetteer's Kyaukpyu."""
    path = _codebook_with_places(tmp_path, "  - name: Kyaukpyu\n    aliases: [Kyaukphyu]\n    gazetteer: true\n")
    [record] = _coded(path, "Myanmar troops captured Kyaukphyu on Monday.")
    assert (record.location, record.admin1, record.country, record.iso3, record.latitude, record.longitude,
            record.geo_precision) == ("Kyaukpyu", "Rakhine", "Myanmar", "MMR", 19.42793, 93.55134, 1)


def test_a_gazetteer_place_takes_only_what_its_entry_lacks_and_iso3_picks_the_country(tmp_path, gazetteer_built):
    path = _codebook_with_places(
        tmp_path, "  - name: Tripoli\n    aliases: [Trablos]\n    gazetteer: true\n    iso3: LBN\n"
                  "    latitude: 34.4\n    longitude: 35.8\n")
    [record] = _coded(path, "Rival militias clashed in Trablos on Saturday.", "2023-08-14")
    assert (record.location, record.country, record.iso3, record.latitude, record.longitude) == (
        "Tripoli", "Lebanon", "LBN", 34.4, 35.8)


def test_towns_carry_their_second_level_unit_and_regions_none(gaz):
    assert (one(gaz, "Ramadi", "IRQ").admin2, one(gaz, "Ramadi", "IRQ").admin3) == ("Ramadi District", "")
    assert one(gaz, "Bakhmut", "UKR").admin2 == "Bakhmut Raion"
    assert one(gaz, "Saraqib", "SYR").admin2 == ""  # GeoNames gives Syria's towns none
    assert one(gaz, "Al Anbar", "IRQ", "region").admin2 == ""


def test_a_codebook_town_takes_the_district_of_the_same_town_only(tmp_path, gazetteer_built):
    # admin1 spelt unlike GeoNames' ("Nīnawá"): the coordinates say it is the same town
    path = _codebook_with_places(
        tmp_path, "  - name: Qayyarah\n    aliases: [Qayara]\n    iso3: IRQ\n    country: Iraq\n"
                  "    admin1: Nineveh\n    latitude: 35.81\n    longitude: 43.29\n    geo_precision: 1\n"
                  # a namesake 600 km from the gazetteer's Samarra: not that town
                  "  - name: Samarra\n    aliases: [Samarraa]\n    iso3: IRQ\n    country: Iraq\n"
                  "    latitude: 30.5\n    longitude: 47.8\n    geo_precision: 1\n"
                  # the entry's own admin2 wins
                  "  - name: Hit\n    iso3: IRQ\n    country: Iraq\n    admin2: Heet\n    latitude: 33.64\n"
                  "    longitude: 42.83\n    geo_precision: 1\n")
    found = {r.location: (r.admin1, r.admin2) for text in (
        "Iraqi forces clashed with Islamic State fighters in Qayara on Monday.",
        "Iraqi forces clashed with Islamic State fighters in Samarraa on Monday.",
        "Iraqi forces clashed with Islamic State fighters in Hit on Monday.") for r in _coded(path, text)}
    assert found == {"Qayyarah": ("Nineveh", "Mosul"), "Samarra": ("", ""), "Hit": ("", "Heet")}


def test_a_gazetteer_place_the_gazetteer_does_not_know_is_one_codebook_error(tmp_path, gazetteer_built):
    from typer.testing import CliRunner

    from coder.authoring.lint import lint_codebook
    from coder.cli import app

    path = _codebook_with_places(tmp_path, "  - name: Kyaukphyuu\n    gazetteer: true\n")
    places = tmp_path / "default" / "places.yaml"  # the problem is in the included file
    line = places.read_text().splitlines().index("  - name: Kyaukphyuu") + 1
    message = ("'Kyaukphyuu' is not a place of the gazetteer (nearest: Kyaukpyu): a place with 'gazetteer: true' "
               "must be one")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "mine.yaml"), "-c", str(path), "-j", "1",
                                      "--input-format", "txt"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {places}:{line}:11: places[0].name: {message}\n"
    assert [str(f) for f in lint_codebook(path)] == [f"{places}:{line}:11: error: {message} (gazetteer-place)"]


def test_a_place_without_the_gazetteer_still_needs_its_geo_precision(tmp_path):
    from coder.codebook import load_codebook
    from coder.errors import CodebookError

    path = _codebook_with_places(tmp_path, "  - name: Nowhere\n    iso3: MMR\n")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    places = tmp_path / "default" / "places.yaml"
    line = places.read_text().splitlines().index("  - name: Nowhere") + 1
    assert [str(p) for p in info.value.problems] == [
        f"{places}:{line}:5: places[0]: missing required key 'geo_precision'",
        f"{places}:{line + 1}:5: places[0].iso3: 'country' is required when 'iso3' is given"]
