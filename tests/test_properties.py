"""Property tests: whatever the text, coding never fails and every record is valid."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.io.schema import validate_record
from coder.pipeline import code_document
from coder.text.document import Document

WORDS = ["Iraqi", "forces", "captured", "recaptured", "Rawa", "al-Qaim", "from", "Islamic", "State", "IS",
         "on", "Sunday", "in", "June", "the", "town", "of", "was", "by", "not", "would", "to", "and", ",",
         ".", "(", ")", "which", "said", "they", "had", "launched", "an", "offensive", "against", "clashed",
         "with", "SDF", "near", "Mosul", "fell", "jihadists", "buildup", "defenses", "12", "March", "2019",
         "last", "week", "shelled", "base", "drove", "out", "its", "control", "over", "Syria", "s", "\n"]

texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
)
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(str))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, date=dates)
def test_coding_never_fails_and_records_are_valid(compiled, text, date):
    records, n = code_document(compiled, Document("doc", text, date))
    for r in records:
        assert validate_record(r.non_empty()) == []
        assert 1 <= r.sentence_index <= n
        assert r.matched_text and r.matched_text in r.sentence


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=texts, b=texts)
def test_a_document_codes_the_same_alone_or_after_another(compiled, a, b):
    from coder.pipeline import Report, code_corpus

    alone, _ = code_document(compiled, Document("b", b, "2017-11-03"))
    report = Report()
    both = list(code_corpus(compiled, [Document("a", a, "2017-11-03"), Document("b", b, "2017-11-03")], report))
    assert [r for r in both if r.doc_id == "b"] == alone


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(texts, st.text(alphabet=st.sampled_from("aA İıΣσς'’‘n't.-U S,\u00df\u0130"), max_size=60)))
def test_the_fast_tokenizer_gives_the_tokens_of_the_full_expression(text):
    # tokenize() lower-cases the whole sentence once and skips the look-ahead
    # for "n't" when there is none; it must give exactly what matching each
    # token with the full expression and normalising it alone gives.
    from coder.text.tokens import _TOKEN_RE, normalize, tokenize

    expected = [(m.group(), m.start() + 7, m.end() + 7, normalize(m.group())) for m in _TOKEN_RE.finditer(text)]
    assert [(t.text, t.start, t.end, t.norm) for t in tokenize(text, 7)] == expected
