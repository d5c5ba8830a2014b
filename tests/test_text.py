from coder.text.sentences import split_sentences
from coder.text.tokens import tokenize


def texts(text):
    return [s.text for s in split_sentences(text)]


def test_abbreviations_and_parentheses_do_not_split():
    text = ("Col. Ryan Dillon said the U.S.-led coalition moved 70 km (40 miles) away. "
            "Gen. Smith met Lt. Jones in Jan. 2017. The army left.")
    assert texts(text) == [
        "Col. Ryan Dillon said the U.S.-led coalition moved 70 km (40 miles) away.",
        "Gen. Smith met Lt. Jones in Jan. 2017.",
        "The army left.",
    ]


def test_us_at_sentence_end_splits_only_before_a_sentence_opener():
    assert texts("He flew to the U.S. The talks ended.") == ["He flew to the U.S.", "The talks ended."]
    assert texts("U.S. forces and John F. Kennedy arrived.") == ["U.S. forces and John F. Kennedy arrived."]


def test_lines_are_paragraphs_and_sentences_are_numbered_from_one():
    sentences = split_sentences("First one. Second one!\n\nThird one?\n")
    assert [(s.index, s.text) for s in sentences] == [(1, "First one."), (2, "Second one!"), (3, "Third one?")]
    text = "First one. Second one!\n\nThird one?\n"
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_decimals_and_quotes():
    assert texts('It is 3.5 km away. "We won," he said.') == ["It is 3.5 km away.", '"We won," he said.']


def test_tokens_keep_abbreviations_hyphens_and_split_clitics():
    toks = tokenize("The U.S.-led coalition's strikes on al-Qaim didn't stop; SDF s priority")
    assert [t.text for t in toks] == [
        "The", "U.S.-led", "coalition", "'s", "strikes", "on", "al-Qaim", "did", "n't", "stop", ";",
        "SDF", "s", "priority"]
    assert toks[1].norm == "u.s.-led"
    assert (toks[6].start, toks[6].end) == (36, 43)


def test_curly_apostrophes_normalise():
    toks = tokenize("SDF’s ‘IS’")
    assert [t.norm for t in toks] == ["sdf", "'s", "'", "is", "'"]


def test_clean_text_removes_zero_width_and_control_characters():
    from coder.text.clean import clean_text

    assert clean_text("al\u200bQaim\x00fell\u00ad") == "alQaim fell"
    assert clean_text("Cafe\u0301") == "Caf\u00e9"
