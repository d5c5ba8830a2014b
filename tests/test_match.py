"""How the matcher reads sentences: slots, voice, cues, coreference, dates."""

from coder.io.schema import validate_record

D = "2017-11-03"  # a Friday


def brief(records):
    return [(r.event_type, r.actor1, r.actor2, r.location, r.event_date, r.time_precision) for r in records]


def test_passive_with_agent_and_source(code):
    assert brief(code("Rawa was captured by Iraqi forces from Islamic State on Sunday.", D)) == [
        ("capture", "Iraqi forces", "Islamic State", "Rawa", "2017-10-29", 1)]


def test_active_voice_with_source(code):
    assert brief(code("Iraqi forces retook Rawa from IS on Thursday.", D)) == [
        ("capture", "Iraqi forces", "Islamic State", "Rawa", "2017-11-02", 1)]


def test_negation_suppresses(code):
    assert code("Iraqi forces did not capture Rawa on Thursday.", D) == []
    assert code("Iraqi forces have never captured Rawa.", D) == []
    assert code("Rawa was not captured by Iraqi forces.", D) == []


def test_modality_suppresses_intent_but_not_achievement(code):
    assert code("Iraqi forces would capture Rawa.", D) == []
    assert code("Iraqi forces plan to capture Rawa.", D) == []
    assert code("Iraqi forces moved north to capture Rawa.", D) == []
    assert code("Iraqi forces are preparing for a possible assault on Rawa.", D) == []
    assert brief(code("Iraqi forces managed to capture Rawa.", D)) == [
        ("capture", "Iraqi forces", "", "Rawa", D, 1)]


def test_a_cue_reaches_over_a_date_between_its_words(code):
    """A cue's words may stand around a date ("the cessation on Friday of
    attacks"): the matcher's quick look at the word before a cue's last word
    must not stop at the date."""
    assert code("Elders called for the cessation on Friday of attacks by Islamic State fighters on Rawa.", D) == []
    assert code("Elders called for the cessation of attacks by Islamic State fighters on Rawa.", D) == []
    assert brief(code("Elders said attacks by Islamic State fighters on Rawa went on.", D)) == [
        ("offensive", "Islamic State", "", "Rawa", D, 1)]


def test_a_sentence_every_match_of_which_a_cue_blocks_is_not_matched_and_still_referred_back_to(compiled, code):
    """Before its mentions are found, a sentence whose every possible match a cue
    blocks is set aside like one no rule matches (read only if a later sentence
    refers back to it); a date before the anchor leaves the cue undecided then."""
    from coder.match.engine import may_fire
    from coder.pipeline import code_document
    from coder.text.document import Document
    from coder.text.tokens import tokenize

    def fire(text, spans=()):
        tokens = tokenize(text)
        cues = {}
        return may_fire(compiled, [t.norm for t in tokens], list(spans), -1, None, None, tokens, cues), cues

    assert fire("Iraqi forces did not capture Rawa.") == (False, {(4, "capture"): "negation cue 'not' at token 4"})
    assert fire("Iraqi forces captured Rawa.") == (True, {})
    # "On Friday" before the anchor: the cue search may pass a date's words, which a
    # mention could hold; not decided before the mentions are known
    assert fire("On Friday Iraqi forces did not capture Rawa.", [(0, 2)]) == (True, {})
    # the jihadists of sentence 3 are those of sentence 1, which was set aside
    text = ("Islamic State fighters did not capture Rawa on Thursday. On Friday Iraqi forces did not attack Rawa. "
            "On Saturday the jihadists stormed Qaim.")
    assert brief(code(text, D)) == [("offensive", "Islamic State", "", "al-Qaim", "2017-10-28", 1)]
    # the same records when every sentence is read in full (the trace reads all)
    traced, _ = code_document(compiled, Document("t", text, D), trace=[])
    assert brief(traced) == brief(code(text, D))


def test_a_comma_ends_the_reach_of_a_cue(code):
    assert brief(code("Asked whether the army would withdraw, officials said Iraqi forces captured Rawa.", D)) == [
        ("capture", "Iraqi forces", "", "Rawa", D, 1)]


def test_generic_words_refer_to_the_last_named_actor(code):
    text = "Islamic State fighters retreated from Mosul. On Sunday the jihadists stormed Rawa."
    assert brief(code(text, D)) == [("offensive", "Islamic State", "", "Rawa", "2017-10-29", 1)]
    # never named: the generic word is kept as a generic actor
    assert brief(code("On Sunday the jihadists stormed Rawa.", D)) == [
        ("offensive", "militants", "", "Rawa", "2017-10-29", 1)
    ]
    assert code("On Sunday the jihadists stormed Rawa.", D)[0].actor1_code == "INS"


def test_generic_state_words_take_the_documents_country(code):
    text = "Malian troops patrolled near Gao. On Sunday government forces recaptured Kidal from JNIM."
    records = code(text, D)
    assert [(r.actor1, r.actor1_code, r.actor2, r.location, r.acled_sub_event_type) for r in records] == [
        ("Malian forces", "MLIMIL", "JNIM", "Kidal", "Government regains territory")
    ]
    # no country named: kept generic, code = the role alone
    records = code("Government forces recaptured the town of Kidal from JNIM on Sunday.", D)
    assert [(r.actor1, r.actor1_code) for r in records] == [("Malian forces", "MLIMIL")]  # Kidal is in Mali
    records = code("Government forces attacked rebels on Sunday.", D)
    assert [(r.actor1, r.actor1_code, r.actor2, r.actor2_code) for r in records] == [
        ("government forces", "MIL", "rebels", "REB")
    ]


def test_a_tie_between_countries_keeps_the_generic(code):
    text = "Iraqi and Syrian officials met in Rawa and in Palmyra. Government forces attacked Islamic State."
    records = code(text, D)
    assert [(r.actor1, r.actor1_code) for r in records] == [("government forces", "MIL")]


def test_case_sensitive_alias(compiled):
    from coder.text.tokens import tokenize

    hits = compiled.lexicon.scan(tokenize("The town is held by IS fighters"))
    assert [(h.start, h.first("actor").value.code) for h in hits if h.first("actor")] == [(5, "IMGISIS")]


def test_subject_search_skips_agents_of_participles(code):
    records = code("Syrian troops, backed by Russian warplanes, captured Palmyra on Sunday.", D)
    assert brief(records) == [("capture", "Syrian government forces", "", "Palmyra", "2017-10-29", 1)]
    assert records[0].acled_sub_event_type == "Government regains territory"


def test_subject_search_skips_parenthetical_relative_clauses(code):
    records = code("Syrian troops, who had fought IS for months, captured Palmyra.", D)
    # the relative clause is an event of its own, but its gap does not reach past its
    # comma; told without a place, it took place where its sentence's capture did
    assert brief(records) == [
        ("offensive", "Syrian government forces", "Islamic State", "Palmyra", D, 1),
        # the side a capture's slots leave empty is the other armed actor of the sentence
        ("capture", "Syrian government forces", "Islamic State", "Palmyra", D, 1),
    ]


def test_reported_speech_pronoun_takes_the_speaker(code):
    records = code("The Syrian army said on Thursday it had captured Palmyra.", D)
    # captured on or before the day it was said: week precision
    assert brief(records) == [("capture", "Syrian government forces", "", "Palmyra", "2017-11-02", 2)]


def test_a_pronoun_subject_is_not_resolved(code):
    assert code("Right now they captured Palmyra.", D) == []


def test_relative_clause_takes_its_antecedent(code):
    records = code("The SDF, which captured Tabqa on Monday, is now near Raqqa.", D)
    assert brief(records) == [("capture", "Syrian Democratic Forces", "", "Tabqa", "2017-10-30", 1)]


def test_coordinated_places_give_a_record_each(code):
    records = code("Iraqi forces captured Rawa and al-Qaim on Friday.", D)
    assert [r.location for r in records] == ["Rawa", "al-Qaim"]
    assert len({r.event_id for r in records}) == 2


def test_apposition_is_not_a_list(code):
    assert [r.location for r in code("Iraqi forces captured Mosul, Iraq on Friday.", D)] == ["Mosul"]


def test_identical_events_in_a_document_are_emitted_once(code):
    text = "Iraqi forces captured Rawa on Friday. Officials said Iraqi forces captured Rawa on Friday."
    records = code(text, D)
    assert brief(records) == [("capture", "Iraqi forces", "", "Rawa", D, 1)]
    assert records[0].sentence_index == 1


def test_fronted_date(code):
    records = code("On 12 March 2019, Houthi forces clashed with Yemeni government forces in Marib.", "2019-03-20")
    assert brief(records) == [("offensive", "Houthis", "Yemeni government forces", "Marib", "2019-03-12", 1)]


def test_a_date_later_in_the_sentence_past_commas_and_lists(code):
    """The sentence's date after the event's words, past an apposition of
    distance or a list of targets, is the event's; not one a clause after
    "after" or a semicolon gives, nor one someone said something on."""
    text = "M23 rebels seized the town's airport near Goma, about 20 km to the north, on Wednesday."
    assert brief(code(text, D)) == [("capture", "M23", "", "Goma", "2017-11-01", 1)]
    records = code("Turkish jets struck depots, bridges and positions of Kurdish fighters near Qamishli on Tuesday.", D)
    assert [(r.event_type, r.actor1, r.event_date) for r in records] == [("offensive", "Turkish forces", "2017-10-31")]
    assert [r.event_date for r in code("M23 rebels seized the airport near Goma, days after the army left on Monday.",
                                       D)] == [D]
    assert [r.event_date for r in code("M23 rebels seized the airport near Goma; the army left on Monday.", D)] == [D]
    assert [r.event_date for r in code("Islamic State fighters captured Rawa, officials said on Monday.", D)] == [D]


def test_no_document_date_and_no_date_in_the_text(code):
    records = code("Iraqi forces captured Rawa.")
    assert brief(records) == [("capture", "Iraqi forces", "", "Rawa", "", None)]
    assert validate_record(records[0].non_empty()) == []


def test_speaker_is_not_a_participant(code):
    # the offensive was launched (an event), but the coalition only speaks: it is not actor2
    records = code("Iraqi forces launched an offensive on Thursday, the U.S.-led coalition said.", D)
    assert [(r.actor1, r.actor2) for r in records] == [("Iraqi forces", "")]


def test_foreign_state_capture_is_not_government_regaining(code):
    records = code("Turkish forces captured Manbij on Sunday.", D)
    assert [(r.actor1_code, r.iso3, r.acled_sub_event_type) for r in records] == [
        ("TURMIL", "SYR", "Non-state actor overtakes territory")
    ]


def test_same_actor_on_both_sides_is_dropped(code):
    assert code("Islamic State fighters attacked Islamic State positions in Rawa.", D) == []


def test_non_military_senses_need_both_slots(code):
    assert code("Police seized drugs in Mosul on Friday.", D) == []
    assert code("The ruling party consolidated its lead in the polls.", D) == []


def test_the_town_refers_to_the_last_named_town(code):
    records = code("Rawa lies on the Euphrates. Iraqi forces captured the town on Sunday.", D)
    assert brief(records) == [("capture", "Iraqi forces", "", "Rawa", "2017-10-29", 1)]
    # an indefinite noun names no place
    assert brief(code("Rawa lies on the Euphrates. Iraqi forces captured a town on Sunday.", D)) == [
        ("capture", "Iraqi forces", "", "", "2017-10-29", 1)
    ]


def test_reports_of_one_event_merge_into_the_first(code):
    text = (
        "Iraqi forces captured Rawa on Sunday. "
        "Rawa was captured from Islamic State after a week of fighting, officials said."
    )
    records = code(text, D)
    assert brief(records) == [
        ("capture", "Iraqi forces", "Islamic State", "Rawa", "2017-10-29", 1),
        # the week of fighting is an event of its own, where the capture was
        ("offensive", "", "", "Rawa", D, 1),
    ]
    # different explicit dates are different events
    text = "Iraqi forces captured Rawa on Sunday. Islamic State captured Rawa on Tuesday."
    assert len(code(text, D)) == 2


def test_near_a_place_lowers_geo_precision(code):
    assert [(r.location, r.geo_precision) for r in code("Iraqi forces attacked Islamic State near Rawa.", D)] == [
        ("Rawa", 2)
    ]
    assert [(r.location, r.geo_precision) for r in code("Iraqi forces attacked Islamic State in Rawa.", D)] == [
        ("Rawa", 1)
    ]


def test_a_place_noun_in_a_named_place_is_that_place(code):
    records = code("Al-Shabaab fighters stormed a military base in Kismayo on Friday.", D)
    assert [(r.actor1, r.location, r.geo_precision) for r in records] == [("al-Shabaab", "Kismayo", 1)]
    records = code("Turkish forces established a military base near Manbij.", D)
    assert [(r.rule_id, r.location, r.geo_precision) for r in records] == [("consolidation.base", "Manbij", 2)]
    # a country is too coarse to stand for "a town in Syria"
    assert [r.location for r in code("Iraqi forces captured a town in Syria.", D)] == [""]


def test_the_town_of_an_unknown_name_is_not_the_last_town(code):
    # "the town of Baga" is not Rawa, the last town named; Baga, a name no
    # gazetteer knows, is kept as written (settings.unlisted_places)
    text = "Rawa lies on the Euphrates. Islamic State seized the town of Baga on Sunday."
    assert [(r.location, r.latitude, r.actor1) for r in code(text, D)] == [("Baga", None, "Islamic State")]


def test_the_trace_keeps_why_each_candidate_was_dropped(compiled):
    from coder.pipeline import code_document
    from coder.text.document import Document

    trace = []
    code_document(
        compiled, Document("t", "Iraqi forces did not capture Rawa. The army is fighting in Rawa.", D), trace=trace
    )
    reasons = [(t.sentence.index, c.rule.rule.id, c.status, c.reason) for t in trace for c in t.candidates]
    assert reasons == [
        (1, "capture.active", "dropped", "negation cue 'not' at token 4"),
        (1, "capture.passive", "dropped", "missing slot {location}"),
        (2, "offensive.fight", "dropped", "missing slot {actor2}"),
        (2, "offensive.fighting_in", "kept", ""),  # fighting in a place is an event, sides named or not
    ]


def test_generic_words_follow_text_order_across_skipped_sentences(code):
    # sentence 1 has no trigger word (it is read only when sentence 3 needs it);
    # sentence 3's "the militants" and "the town" must still mean the most recent
    # ones, named in sentence 2
    text = (
        "Islamic State militants were seen in Mosul last year. "
        "Taliban fighters attacked Afghan forces in Kunduz on Sunday. "
        "On Monday the militants stormed the town again."
    )
    records = code(text, D)
    assert [(r.sentence_index, r.actor1, r.location) for r in records] == [
        (2, "Taliban", "Kunduz"),
        (3, "Taliban", "Kunduz"),
    ]


def test_named_features_keep_their_name_and_the_coordinates_of_their_town(code):
    (r,) = code("Syrian Democratic Forces captured the Tabqa dam from Islamic State on Sunday.", D)
    assert (r.location, r.geo_precision) == ("Tabqa dam", 2)
    (tabqa,) = code("Syrian Democratic Forces captured Tabqa from Islamic State on Sunday.", D)
    assert (r.latitude, r.longitude, r.country) == (tabqa.latitude, tabqa.longitude, tabqa.country)
    # named after nothing we know, but standing near a town the text names
    (r,) = code("SDF fighters captured the Tishrin dam near Manbij on Saturday.", D)
    (manbij,) = code("SDF fighters captured Manbij on Saturday.", D)
    assert (r.location, r.geo_precision, r.latitude) == ("Tishrin dam", 2, manbij.latitude)
    # neither: the name, a coarse precision, no coordinates
    (r,) = code("Kurdish-led SDF fighters seized the Qwertyz oil field from Islamic State.", D)
    assert (r.location, r.geo_precision, r.latitude) == ("Qwertyz oil field", 3, None)
    # a feature without a name is not a named feature
    (r,) = code("Al-Shabaab fighters stormed a military base in Kismayo on Friday.", D)
    assert r.location == "Kismayo"


def test_exclusions_drop_matches_that_are_not_this_event_type(compiled):
    from coder.pipeline import code_document
    from coder.text.document import Document

    trace = []
    records, _ = code_document(
        compiled, Document("t", "Gunmen stormed a village near Gusau on Sunday.", D), trace=trace)
    assert records == []
    reasons = [c.reason for t in trace for c in t.candidates if c.status == "dropped" and "excluded" in c.reason]
    # coder explain says which situation and which words made it so
    assert reasons[0] == ("excluded: an attack by an armed group on a village or civilians only (ACLED Violence "
                          "against civilians) (the words 'village')")
    # an air strike is offensive whoever it hits (the labelling guide, ACLED's remote violence)
    text = "Russian jets struck a village near Idlib, killing five farmers."
    records, _ = code_document(compiled, Document("t", text, D))
    assert [r.event_type for r in records] == ["offensive"]
    # a capture after clashes is both a capture and the fighting that led to it (the labelling guide)
    records, _ = code_document(
        compiled,
        Document("t", "Around 3 June, JNIM took control of the town of Boni after clashes with Malian troops.", D),
    )
    assert sorted(r.event_type for r in records) == ["capture", "offensive"]


def test_a_rule_whose_leading_slot_has_no_mention_before_the_anchor_is_not_tried(monkeypatch, code):
    """capture.passive starts with its place ("Rawa was captured"): in "Iraqi
    forces captured Rawa" no place ends before "captured", so the subject
    search could not fill it and plain coding does not try the rule at all."""
    from coder.match import engine

    tried = []
    real = engine.match_rule

    def spy(view, settings, trigger, i, relaxed=True):
        tried.append(trigger.rule.rule.id)
        return real(view, settings, trigger, i, relaxed)

    monkeypatch.setattr(engine, "match_rule", spy)
    assert brief(code("Iraqi forces captured Rawa from IS on Thursday.", D)) == [
        ("capture", "Iraqi forces", "Islamic State", "Rawa", "2017-11-02", 1)
    ]
    assert "capture.active" in tried and "capture.passive" not in tried
    tried.clear()
    assert brief(code("Rawa was captured by Iraqi forces on Thursday.", D)) == [
        ("capture", "Iraqi forces", "", "Rawa", "2017-11-02", 1)
    ]
    assert "capture.passive" in tried


def test_an_optional_group_left_out_does_not_find_its_word_again_as_a_filler():
    """"(a|an|heavy) [attack|strike]" on "launched an attack": the group matches
    "an"; leaving it out, the noun may not pass over "an" as a filler word, which
    found the same match a second time (one word less) and spent its steps."""
    from coder.codebook.model import Settings
    from coder.codebook.pattern import parse
    from coder.match.engine import SentenceView, _Matcher
    from coder.text.tokens import tokenize

    def matches(text: str, pattern: str) -> list[list[str]]:
        tokens = tokenize(text)
        view = SentenceView(tokens, [])
        found = []

        def emit(p, slots, words):
            found.append([tokens[k].norm for k in words])
            return False

        _Matcher(view, Settings(max_gap=8, max_filler=1)).match(parse(pattern).items, 0, 0, +1, {}, [], emit)
        return found

    assert matches("launched an attack", "launched (a|an|heavy) [attack|strike]") == [["launched", "an", "attack"]]
    assert matches("launched heavy strikes", "launched (a|an|heavy) [attack|strike]") == [
        ["launched", "heavy", "strikes"]]
    # a filler word the group does not hold is still passed over
    assert matches("launched fresh strikes", "launched (a|an|heavy) [attack|strike]") == [
        ["launched", "strikes"]]
    # and an alternative of several words leaves the filler rule as it was
    assert matches("launched waves strikes", "launched (waves of) [attack|strike]") == [["launched", "strikes"]]


def test_a_gap_passes_an_apposition_or_a_relative_clause_whole(code):
    """A gap of at most max_gap tokens used to stop at the closing comma of ", a
    garrison town ... ,": the withdrawal after it, or the target after ", which
    ... ,", was out of reach."""
    text = "Rebel fighters entered Tessalit, a garrison town near the Algerian border in the far north, on Tuesday " \
           "after the army withdrew."
    assert [(r.event_type, r.actor1, r.location, r.event_date, r.rule_id) for r in code(text, D)] == [
        ("capture", "rebels", "Tessalit", "2017-10-31", "capture.enter_after_withdrawal")]
    text = "Chadian troops launched an offensive, which had been planned for months by the general staff, " \
           "against Boko Haram near Baga."
    assert [(r.event_type, r.actor1, r.actor2, r.location) for r in code(text, D)] == [
        ("offensive", "Chadian forces", "Boko Haram", "Baga")]
    # still not past a clause boundary
    text = "Rebel fighters entered Tessalit, a garrison town near the Algerian border, on Tuesday; the army withdrew."
    assert code(text, D) == []


def test_the_subject_of_a_reporting_verb_with_an_infinitive_is_the_actor(code):
    """"X said Y captured Z": Y took Z; but in "X claimed to have overrun Z" and
    "X appeared to have seized Z" the subject search used to stop at the
    reporting verb, and the modality cue "to" dropped the match."""
    assert [(r.actor1, r.location) for r in code("M23 appeared to have seized Goma on Tuesday.", D)] == [
        ("M23", "Goma")]
    assert [(r.actor1, r.actor2, r.location) for r in code("The army claimed to have retaken Rawa from IS.", D)] == [
        ("Iraqi forces", "Islamic State", "Rawa")]
    assert [(r.actor1, r.location) for r in code("The army said IS fighters captured Rawa.", D)] == [
        ("Islamic State", "Rawa")]
    assert code("The army was said to be preparing to retake Rawa.", D) == []
    assert code("The rebels hope to have captured Rawa by Friday.", D) == []


def test_a_participle_after_a_determiner_and_newly_is_an_adjective(code):
    """"at a newly opened camp": the camp was opened by someone else, not by the
    attackers; "the army recently opened a base" is still the army's base."""
    records = code("Maoists fired rockets at a newly opened security camp near Bijapur late on Monday.", D)
    assert [(r.event_type, r.actor1, r.location) for r in records] == [
        ("offensive", "Communist Party of India (Maoist)", "Bijapur")]
    records = code("The army recently opened a base near Bijapur.", D)
    assert [(r.event_type, r.actor1, r.location) for r in records] == [("consolidation", "Indian forces", "Bijapur")]


def test_markets_and_communities_are_place_nouns(code):
    """"a strike on a market in Mellit" is at Mellit; "several communities in
    Frontera Comalapa" and "the community of Las Pilas" are places taken."""
    assert [(r.event_type, r.location, r.acled_sub_event_type) for r in code(
        "An air force strike on a crowded market in Mellit on Monday killed 20 people.", D)] == [
        ("offensive", "Mellit", "Air/drone strike")]
    assert [(r.event_type, r.location) for r in code(
        "Cartel gunmen took control of several communities in Frontera Comalapa.", D)] == [
        ("capture", "Frontera Comalapa")]
    assert [(r.event_type, r.actor2, r.location) for r in code(
        "Local militias retook the community of Las Pilas from the CJNG.", D)] == [
        ("capture", "Jalisco New Generation Cartel", "Las Pilas")]
