"""The short sample articles (samples/articles.jsonl) code as a reader would code them."""

import json
from pathlib import Path

import pytest

from coder.pipeline import code_document
from coder.text.document import Document

ARTICLES = [json.loads(line) for line in
            (Path(__file__).resolve().parents[1] / "samples" / "articles.jsonl").read_text().splitlines()]

EXPECTED = {
    # active voice; sentence 2 ("The town was captured from Islamic State") is the same
    # capture: "the town" is Tabqa, and it adds actor2 to the first record
    "sample-capture-tabqa": [
        (1, "capture", "Syrian Democratic Forces", "Islamic State", "Tabqa", "2017-05-10", 1,
         "Non-state actor overtakes territory"),
        # "captured ... after weeks of fighting": the fighting is an event too (the
        # labelling guide's rule), where the capture of its sentence took place
        (2, "offensive", "", "", "Tabqa", "2017-05-12", 1, "Armed clash"),
        (3, "consolidation", "Syrian Democratic Forces", "", "Tabqa", "2017-05-12", 1, "Other"),
    ],
    # passive voice with agent and source; "the city" is Mosul; month precision;
    # "plan to attack" is intent
    "sample-passive-mosul": [
        (1, "capture", "Iraqi forces", "Islamic State", "Mosul", "2017-07-09", 1, "Government regains territory"),
        (2, "capture", "Islamic State", "", "Mosul", "2014-06", 3, "Non-state actor overtakes territory"),
    ],
    # shelling without ground fighting; a clash with gunfire; "would launch air strikes" is intent
    "sample-offensive-marib": [
        (1, "offensive", "Houthis", "Yemeni government forces", "Marib", "2021-02-11", 1,
         "Shelling/artillery/missile attack"),
        (2, "offensive", "Houthis", "Yemeni government forces", "Marib", "2021-02-10", 1, "Armed clash"),
    ],
    # "did not capture", "have not launched": nothing
    "sample-negation-ramadi": [
        (1, "offensive", "Islamic State", "", "Ramadi", "2015-05-15", 1, "Armed clash"),
    ],
    # the buildup "near the city" (sentence 2) is the same consolidation as sentence 1
    "sample-consolidation-marib": [
        (1, "consolidation", "Houthis", "", "Marib", "2021-03-02", 1, "Other"),
    ],
    # "preparing to launch", "would storm", "in anticipation of": nothing until it happens
    "sample-intent-hawija": [
        (3, "offensive", "Iraqi forces", "Islamic State", "Hawija", "2017-09-19", 1, "Armed clash"),
    ],
}


@pytest.mark.parametrize("article", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_sample_article(compiled, article):
    records, _ = code_document(compiled, Document(article["id"], article["text"], article["date"]))
    got = [(r.sentence_index, r.event_type, r.actor1, r.actor2, r.location, r.event_date, r.time_precision,
            r.acled_sub_event_type) for r in records]
    assert got == EXPECTED[article["id"]]


def test_every_sample_is_checked():
    assert sorted(EXPECTED) == sorted(a["id"] for a in ARTICLES)
