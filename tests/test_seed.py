"""Acceptance: the seed article (samples/seed.jsonl) is coded as the foundation issue says.

Sentence numbers are the article's lines.  The rules that produce these records
are the general rules of codebooks/default.yaml; each also codes its own
examples (tests/test_codebook_examples.py).
"""

import json
from pathlib import Path

import pytest

from coder.pipeline import code_document
from coder.text.document import Document

ROOT = Path(__file__).resolve().parents[1]
SEED = json.loads((ROOT / "samples" / "seed.jsonl").read_text(encoding="utf-8"))

FIELDS = ("sentence_index", "event_type", "actor1", "actor1_code", "actor2", "actor2_code",
          "location", "event_date", "time_precision", "cameo_code", "acled_event_type",
          "acled_sub_event_type", "rule_id", "fatalities")

# The article reports no deaths ("this fight to the death" is a figure of speech, not a
# toll), so every record's fatalities is 0, ACLED's value for none reported.
EXPECTED = [
    (1, "consolidation", "Islamic State", "IMGISIS", "", "", "Syrian-Iraqi frontier", "2017-11-03", 1,
     "154", "Strategic developments", "Other", "consolidation.fortify", 0),
    (2, "offensive", "Iraq", "IRQ", "Islamic State", "IMGISIS", "Rawa", "2017-11-02", 1,
     "190", "Battles", "Armed clash", "offensive.launch", 0),
    (2, "offensive", "Iraq", "IRQ", "Islamic State", "IMGISIS", "al-Qaim", "2017-11-02", 1,
     "190", "Battles", "Armed clash", "offensive.launch", 0),
    (3, "consolidation", "Islamic State", "IMGISIS", "", "", "al-Qaim", "2017-11-03", 1,
     "154", "Strategic developments", "Other", "consolidation.buildup", 0),
    (3, "consolidation", "Islamic State", "IMGISIS", "", "", "Albu Kamal", "2017-11-03", 1,
     "154", "Strategic developments", "Other", "consolidation.buildup", 0),
    # "said on Thursday they would march on the town having driven IS out of a base":
    # on or before Thursday, so week precision; the base is not named.
    (5, "capture", "pro-Damascus forces", "SYRPGF", "Islamic State", "IMGISIS", "", "2017-11-02", 2,
     "192", "Battles", "Government regains territory", "capture.drive_out", 0),
    (7, "consolidation", "Syrian Democratic Forces", "SYRSDF", "", "", "al-Omar oil field", "2017-11-03", 1,
     "154", "Strategic developments", "Other", "consolidation.fortify", 0),
    (7, "capture", "Syrian Democratic Forces", "SYRSDF", "Islamic State", "IMGISIS", "al-Omar oil field",
     "2017-10-29", 1, "192", "Battles", "Non-state actor overtakes territory", "capture.passive", 0),
    (9, "offensive", "Syrian Democratic Forces", "SYRSDF", "Islamic State", "IMGISIS",
     "eastern bank of the Euphrates", "2017-11-03", 1, "190", "Battles", "Armed clash", "offensive.fight", 0),
    (10, "capture", "", "", "Islamic State", "IMGISIS", "Mosul", "2017-06", 3,
     "192", "Battles", "Government regains territory", "capture.passive", 0),
]


@pytest.fixture(scope="module")
def seed_records(compiled):
    doc = Document(SEED["id"], SEED["text"], SEED["date"], SEED.get("source", ""))
    records, sentences = code_document(compiled, doc)
    assert sentences == 11
    return records


def test_seed_gives_exactly_the_expected_records(seed_records):
    got = [tuple(getattr(r, f) for f in FIELDS) for r in seed_records]
    assert got == EXPECTED


@pytest.mark.parametrize("line", [4, 6, 8, 11])
def test_lines_without_events(seed_records, line):
    assert [r for r in seed_records if r.sentence_index == line] == []


def test_intent_and_negation_give_nothing(seed_records):
    # "to capture" (line 2), "would march" (line 5), "in anticipation of assaults"
    # (line 1) and "have not seen this fight" (line 11) are not events
    assert not [r for r in seed_records if r.sentence_index == 2 and r.event_type == "capture"]
    assert not [r for r in seed_records if r.event_type == "offensive" and r.sentence_index in (1, 5, 11)]


def test_location_fields_and_provenance(seed_records):
    rawa = seed_records[1]
    assert (rawa.country, rawa.iso3, rawa.admin1, rawa.latitude, rawa.longitude, rawa.geo_precision) == (
        "Iraq", "IRQ", "Anbar", 34.4664, 41.9092, 1)
    assert (rawa.goldstein, rawa.quad_class) == (-10.0, 4)
    # the rule matches up to the other side; the places come from the apposition after it
    assert rawa.matched_text == (
        "Iraq launched an offensive on Thursday to capture the last Iraqi territory held by Islamic State")
    assert (rawa.location, seed_records[2].location) == ("Rawa", "al-Qaim")
    assert rawa.sentence.startswith("Iraq launched an offensive on Thursday")
    mosul = seed_records[-1]
    assert mosul.matched_text == "city recaptured from IS"  # "city" stands for Mosul (apposition)
    assert mosul.doc_id == "reuters-2017-11-03-albu-kamal"
    assert len({r.event_id for r in seed_records}) == len(seed_records)
