"""Real-news shapes (issue 17): actors the codebook does not list, found by
grammar; event frames beyond fixed strings; places that are phrases; events
whose sides are not named; three engine faults; precision traps.

The sentences are written for these tests in the shapes real wire news uses;
none comes from a labelled set.
"""

import json

import pytest
from typer.testing import CliRunner

from coder.cli import app

D = "2024-03-05"  # a Tuesday


def brief(records):
    return [(r.event_type, r.actor1, r.actor2, r.location, r.event_date, r.rule_id) for r in records]


# -- armed actors by grammar ----------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        # nationality + force noun: the country's forces, coded country + role
        ("Sudanese drones struck a fuel depot in Nyala on Sunday.",
         [("offensive", "Sudanese Armed Forces", "", "Nyala", "2024-03-03", "offensive.remote_weapon")]),
        ("Nigerian artillery pounded Boko Haram positions near Bama.",
         [("offensive", "Nigerian forces", "Boko Haram", "Bama", D, "offensive.remote_weapon")]),
        # a named actor + armed noun, coordinated with a generic one
        ("A police patrol and Maoist cadres exchanged fire near Dantewada.",
         [("offensive", "police", "Maoist cadres", "Dantewada", D, "offensive.clash_pair")]),
        # descriptor + armed noun; the army of the place's country
        ("Army units and Fulani militiamen clashed in Djibo.",
         [("offensive", "government forces", "Fulani militias", "Djibo", D, "offensive.clash_pair")]),
        # "loyal to X": the fighters, not X; the army post is a place the army of the place's country holds
        ("Fighters loyal to a local warlord attacked an army post near Jowhar.",
         [("offensive", "unidentified gunmen", "Somali forces", "Jowhar", D, "offensive.attack_place")]),
        # "aligned with X", "affiliated with X": X's men, as "loyal to X"
        ("Gunmen affiliated with JNIM attacked a checkpoint near Djibo.",
         [("offensive", "JNIM", "", "Djibo", D, "offensive.attack_place")]),
        ("Militiamen aligned with the RSF stormed a police station in Nyala.",
         [("offensive", "Rapid Support Forces", "", "Nyala", D, "offensive.attack_place")]),
        # two generic armed nouns are one actor, the first saying who
        ("An assault by dissident fighters on army positions near Jamundi was beaten back.",
         [("offensive", "rebels", "Colombian forces", "Jamundi", D, "offensive.nominal_by")]),
        # an armed noun "of" a named actor is that actor, a hedge between them too
        ("Chadian troops engaged a column of suspected Boko Haram fighters near Bol on Monday.",
         [("offensive", "Chadian forces", "Boko Haram", "Bol", "2024-03-04", "offensive.fight")]),
        # "X-backed" and "X-led"
        ("Rwandan-backed rebels attacked army positions near Sake.",
         [("offensive", "Rwandan-backed rebels", "Congolese forces", "Sake", D, "offensive.attack_place")]),
        ("HTS-led fighters stormed a government checkpoint in Idlib province.",
         [("offensive", "Hayat Tahrir al-Sham", "", "Idlib", D, "offensive.attack_place")]),
        # battle tanks and armoured vehicles with their nationality are the country's forces
        ("Kenyan battle tanks fired four shells at targets in Mandera.",
         [("offensive", "Kenyan forces", "", "Mandera", D, "offensive.fire_on")]),
        # a junta's units and columns are the state's forces
        ("Resistance fighters ambushed a junta column near Mawlaik in Sagaing Region.",
         [("offensive", "rebels", "Myanmar forces", "Mawlaik", D, "offensive.attack")]),
    ],
)
def test_actors_by_grammar(code, text, expected):
    assert brief(code(text, D)) == expected


def test_actor_codes_are_built_the_cameo_way(code):
    (r,) = code("Sudanese drones struck a fuel depot in Nyala on Sunday.", D)
    assert (r.actor1_code, r.acled_sub_event_type) == ("SDNMIL", "Air/drone strike")
    (r,) = code("Rwandan-backed rebels attacked army positions near Sake.", D)
    assert (r.actor1_code, r.actor2_code) == ("REB", "CODMIL")


def test_coordinated_actors_the_first_is_actor1(code):
    # ACLED names the first as actor1 and the others as associated actors
    assert brief(code("Malian troops and Wagner mercenaries attacked a JNIM camp near Boni.", D)) == [
        ("offensive", "Malian forces", "JNIM", "Boni", D, "offensive.attack_place")]
    assert brief(code("Iraqi and Kurdish forces advanced into Hawija on Monday.", D)) == [
        ("offensive", "Iraqi forces", "", "Hawija", "2024-03-04", "offensive.advance")]


# -- event frames ------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Philippine troops carried out air strikes on NPA camps near Marawi.",
         [("offensive", "Philippine forces", "New People's Army", "Marawi", D, "offensive.launch")]),
        ("Gunmen opened fire on an army convoy near Gao.",
         [("offensive", "unidentified gunmen", "Malian forces", "Gao", D, "offensive.fire_on")]),
        # passive frames: the attacker is actor1
        ("Colombian soldiers came under attack from ELN guerrillas in Arauca.",
         [("offensive", "National Liberation Army", "Colombian forces", "Arauca", D, "offensive.come_under")]),
        ("A police post near Gao was hit by drones on Sunday.",
         [("offensive", "", "Malian police", "Gao", "2024-03-03", "offensive.passive_hit")]),
        ("Somali troops repelled an assault by al-Shabaab fighters on Jowhar.",
         [("offensive", "al-Shabaab", "Somali forces", "Jowhar", D, "offensive.repel")]),
        ("Congolese troops drove M23 rebels out of Sake.",
         [("capture", "Congolese forces", "M23", "Sake", D, "capture.drive_out")]),
        ("Myanmar troops pushed the rebels back from Lashio.",
         [("capture", "Myanmar forces", "rebels", "Lashio", D, "capture.drive_out")]),
        ("Houthi fighters advanced into Marib on Monday.",
         [("offensive", "Houthis", "", "Marib", "2024-03-04", "offensive.advance")]),
        ("Burkinabe troops dug trenches around Djibo.",
         [("consolidation", "Burkinabe forces", "", "Djibo", D, "consolidation.dig_in")]),
        ("An encounter broke out between police and Maoists in Sukma on Sunday.",
         [("offensive", "Indian police", "Communist Party of India (Maoist)", "Sukma", "2024-03-03",
           "offensive.clash_between")]),
    ],
)
def test_event_frames(code, text, expected):
    assert brief(code(text, D)) == expected


# -- places that are phrases ---------------------------------------------------

@pytest.mark.parametrize(
    "text, place, matched",
    [
        ("JNIM fighters seized an army outpost near Menaka.", "Menaka",
         "JNIM fighters seized an army outpost near Menaka"),
        ("Rebels seized the city's airport in Kindu.", "Kindu", "Rebels seized the city's airport in Kindu"),
        ("Islamic State captured part of Syria's second city Aleppo.", "Aleppo",
         "Islamic State captured part of Syria's second city Aleppo"),
    ],
)
def test_a_facility_near_or_in_a_place_is_the_place(code, text, place, matched):
    (r,) = code(text, D)
    assert (r.event_type, r.location, r.matched_text) == ("capture", place, matched)


def test_the_holder_of_a_facility_is_the_other_side(code):
    (r,) = code("JNIM fighters seized an army outpost near Menaka.", D)
    assert (r.actor1, r.actor2) == ("JNIM", "Malian forces")


@pytest.mark.parametrize(
    "text, actor2",
    [
        # the side that lost the place, named elsewhere in the sentence
        ("The rebels seized Bunia on Sunday after heavy fighting against the army.", "Congolese forces"),
        # who tells of it is not a side
        ("The army said the rebels had seized Bunia.", ""),
        ("According to the army, the rebels seized Bunia on Sunday.", ""),
    ],
)
def test_the_other_side_of_a_capture_comes_from_the_sentence(code, text, actor2):
    (r,) = [r for r in code(text, D) if r.event_type == "capture"]
    assert (r.actor1, r.actor2, r.location) == ("rebels", actor2, "Bunia")


def test_fighting_that_won_a_place_takes_the_sides_of_the_capture(code):
    records = code("Kachin fighters took the town of Bhamo from the army after a week of heavy fighting.", D)
    assert [(r.event_type, r.actor1, r.actor2, r.location) for r in records] == [
        ("capture", "Kachin fighters", "Myanmar forces", "Bhamo"),
        ("offensive", "Kachin fighters", "Myanmar forces", "Bhamo")]


def test_an_unlisted_place_in_apposition_with_a_place_noun(code):
    records = code("The Arakan Army took control of Kyauktaw and Minbya, two towns in Rakhine State.", D)
    assert [(r.location, r.country) for r in records] == [("Kyauktaw", "Myanmar"), ("Minbya", "Myanmar")]


def test_an_unlisted_place_after_in_nearby(code):
    """"in nearby Hantoub": a name after a preposition and "nearby" (or
    "neighbouring") is a place, as after the preposition alone."""
    (r,) = code("Rebels shelled army positions in nearby Tabit on Sunday.", D)
    assert (r.actor1, r.actor2, r.location, r.event_date) == ("rebels", "government forces", "Tabit", "2024-03-03")
    (r,) = code("Rebels shelled army positions in Tabit on Sunday.", D)
    assert r.location == "Tabit"
    # "nearby" alone is no preposition: "the nearby Kelbo" would be
    assert [r.location for r in code("Rebels shelled army positions and nearby Tabit on Sunday.", D)] == [""]


def test_an_unlisted_place_after_across(code):
    (r,) = code("Sudanese troops set up checkpoints across Kafouri after the RSF withdrawal.", D)
    assert (r.event_type, r.actor1, r.location, r.country, r.rule_id) == (
        "consolidation", "Sudanese Armed Forces", "Kafouri", "Sudan", "consolidation.base")


def test_a_paramilitary_force_after_a_named_paramilitary_is_that_actor(code):
    """"the paramilitary force" refers back to the last actor whose refs name
    it, as "the paramilitaries" does, not to unidentified gunmen."""
    text = ("The Rapid Support Forces attacked El Obeid on Friday. The paramilitary force seized Bara, a town north "
            "of El Obeid, on Saturday.")
    assert [(r.event_type, r.actor1, r.actor1_code) for r in code(text, D)] == [
        ("offensive", "Rapid Support Forces", "SDNRSF"), ("capture", "Rapid Support Forces", "SDNRSF")]


def test_one_of_the_deadliest_attacks_names_the_event_told_not_a_second_one(code):
    """"..., in one of the deadliest attacks on the military this year": a
    reference cue before the trigger; the event is the ambush, once."""
    assert brief(code("Jihadists ambushed an army unit near Djibo on Friday, in one of the deadliest attacks on the "
                      "military this year.", D)) == [
        ("offensive", "militants", "Burkinabe forces", "Djibo", "2024-03-01", "offensive.attack")]
    text = "Maoists ambushed a CRPF patrol in Sukma on Tuesday in the deadliest attack of the year."
    assert brief(code(text, D)) == [
        ("offensive", "Communist Party of India (Maoist)", "Indian police", "Sukma", D, "offensive.attack")]
    # told alone, the attack is the event
    assert brief(code("The deadliest attack on the army since 2019 killed 30 soldiers near Djibo on Friday.", D)) == [
        ("offensive", "", "Burkinabe forces", "Djibo", "2024-03-01", "offensive.remote_on")]


def test_explain_names_the_reference_cue():
    result = CliRunner().invoke(app, ["explain", "Jihadists ambushed an army unit near Djibo, in one of the deadliest "
                                      "attacks on the military this year."])
    assert "    dropped: reference cue 'one of the deadliest' at token 10\n" in result.stdout


def test_a_country_named_is_a_place_of_that_country(code):
    """"in eastern Congo" is DR Congo (wire style), not the town of Congo in
    Brazil that the gazetteer also has, nor the Republic of the Congo."""
    (r,) = code("M23 rebels attacked army positions in eastern Congo on Monday.", D)
    assert (r.actor2, r.actor2_code, r.location, r.iso3) == ("Congolese forces", "CODMIL", "Congo", "COD")
    (r,) = code("Rebels captured the town of Rubaya in eastern Congo on Monday.", D)
    assert (r.location, r.iso3) == ("Rubaya", "COD")
    (r,) = code("Troops clashed with rebels in the Republic of Congo on Monday.", D)
    assert (r.actor1_code, r.iso3) == ("COGMIL", "COG")
    (r,) = code("Fighting erupted in Djibouti on Monday.", D)
    assert (r.location, r.iso3) == ("Djibouti", "DJI")


# -- sides unknown -------------------------------------------------------------

def test_fighting_with_no_named_side_is_an_event_with_empty_actors(code):
    assert brief(code("Heavy fighting raged in Goma on Monday.", D)) == [
        ("offensive", "", "", "Goma", "2024-03-04", "offensive.fighting_in")]


def test_acled_output_names_unknown_sides_unidentified_armed_group(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "g1", "date": D, "text": "Heavy fighting raged in Goma on Monday."}) + "\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["run", str(corpus), "-o", str(out), "-f", "acled", "-q"])
    assert result.exit_code == 0, result.output
    import csv

    (row,) = list(csv.DictReader(out.open()))
    assert (row["actor1"], row["inter1"], row["actor2"], row["inter2"], row["interaction"]) == (
        "Unidentified Armed Group (Democratic Republic of Congo)", "3",
        "Unidentified Armed Group (Democratic Republic of Congo)", "3", "33")


# -- the three engine faults of issue 17 ----------------------------------------

def test_an_actor_right_after_after_or_before_is_a_subject(code):
    assert brief(code("Residents fled after Houthi fighters captured Marib.", D)) == [
        ("capture", "Houthis", "", "Marib", D, "capture.active")]
    assert brief(code("Iraqi forces entered Hawija after Islamic State fighters stormed Kirkuk.", D)) == [
        ("offensive", "Islamic State", "", "Kirkuk", D, "offensive.attack_place")]
    assert brief(code("Government troops withdrew from Hawija before Islamic State fighters stormed Kirkuk.", D)) \
        == [("offensive", "Islamic State", "", "Kirkuk", D, "offensive.attack_place")]


def test_a_date_after_an_apposition_is_the_events(code):
    (r,) = code("The MNDAA took control of Lashio, the capital of northern Shan State, on Saturday.", D)
    assert (r.location, r.event_date, r.time_precision) == ("Lashio", "2024-03-02", 1)
    (r,) = code("The Arakan Army took control of Paletwa, a town in Chin State, on Monday.", D)
    assert (r.location, r.event_date) == ("Paletwa", "2024-03-04")


def test_an_armed_actor_of_the_unit_is_one_mention(code):
    """"FARC dissidents of the 33rd Front": one side, the listed unit, and a
    pattern word right after it still stands next to it ("out of")."""
    (r,) = code("The ELN drove FARC dissidents of the 33rd Front out of Teorama.", D)
    assert (r.event_type, r.actor1, r.actor2, r.actor2_code, r.location) == (
        "capture", "National Liberation Army", "33rd Front", "COLF33", "Teorama")
    # a unit the codebook does not list: the actor it belongs to
    (r,) = code("Government troops drove rebels of the 3rd Northern Brigade out of Teorama.", D)
    assert (r.actor2, r.location) == ("rebels", "Teorama")
    assert code("Residents of the Eastern Front district fled to Teorama.", D) == []


def test_an_armed_noun_after_its_or_their_after_a_reporting_verb_is_the_speakers(code):
    assert brief(code("Al-Shabaab said its fighters overran an army outpost near Baidoa on Sunday.", D)) == [
        ("capture", "al-Shabaab", "Somali forces", "Baidoa", "2024-03-03", "capture.active")]
    assert brief(code("Boko Haram claimed that their fighters ambushed a convoy near Dikwa.", D))[0][1] == "Boko Haram"
    # elsewhere the owner is not clear: the armed noun stays a generic actor (not the Kurds, not Iraqi forces)
    (r,) = code("The Kurds said Iraqi forces attacked their fighters near Zakho on Sunday.", D)
    assert (r.actor1, r.actor2, r.actor2_code) == ("Iraqi forces", "unidentified gunmen", "UAF")
    # a few words between the verb and "that"; and "forces", which names nobody alone, is the speaker's
    (r,) = code("The Sudanese army said on Thursday that its forces had taken control of Wad Madani.", D)
    assert (r.event_type, r.actor1, r.location) == ("capture", "Sudanese Armed Forces", "Wad Madani")
    (r,) = code("Al-Shabaab told reporters that its fighters had stormed the army base in Afgoye.", D)
    assert (r.actor1, r.location) == ("al-Shabaab", "Afgoye")
    assert code("The rebels attacked their forces near Goma.", D) == []


def test_a_place_is_no_subject_of_a_passive_when_an_actor_is_the_clauses_subject(code):
    """"Rawa, which the army had taken": the army took Rawa (active voice, told
    in passing); the relative clause gives no capture by the attackers and no
    date to the attack."""
    assert brief(code("Islamic State fighters attacked Rawa, which the army had taken on Monday.", D)) == [
        ("offensive", "Islamic State", "Iraqi forces", "Rawa", D, "offensive.attack_place")]
    # a place before its passive verb is still its subject, past a clause between commas
    assert brief(code("Kidal, where Tuareg rebels had been based, was retaken by the army on Sunday.", D)) == [
        ("capture", "Malian forces", "Tuareg rebels", "Kidal", "2024-03-03", "capture.passive")]


def test_a_killing_after_a_comma_joins_the_event_it_continues_even_when_told_before(code):
    """The clash of the second sentence is the shelling of the first told again
    (one record); its ", killing several fighters" belongs to that record too,
    not to a record of its own."""
    text = ("Russian forces shelled Syrian army positions outside Hawija on Monday. "
            "Russian forces clashed with the Syrian army in Hawija on Monday, killing several fighters.")
    assert [(r.sentence_index, r.actor1, r.actor2, r.location, r.rule_id) for r in code(text, D)] == [
        (1, "Russian forces", "Syrian government forces", "Hawija", "offensive.attack_place")]


def test_an_event_told_without_a_place_is_where_the_story_was(code):
    """"Troops were battling the militants on Wednesday": where the event two
    sentences back happened; not further back than that."""
    text = ("Islamist militants overran parts of Marawi on Tuesday. "
            "Troops backed by helicopter gunships were battling the militants on Wednesday.")
    assert [(r.event_type, r.actor1, r.location) for r in code(text, D)] == [
        ("capture", "militants", "Marawi"), ("offensive", "Philippine forces", "Marawi")]
    text = ("Islamist militants overran parts of Marawi on Tuesday. The president flew home. Officials met. "
            "Aid arrived. Troops were battling the militants on Wednesday.")
    assert [(r.event_type, r.location) for r in code(text, D)] == [("capture", "Marawi"), ("offensive", "")]
    # "the camp" is the camp of the sentence before; "a camp some 40 km away" is somewhere else
    text = ("Indian security forces set up a new camp at Tekalguda on Monday. "
            "Maoists opened fire on the camp on Tuesday.")
    assert [(r.event_type, r.location) for r in code(text, D)] == [
        ("consolidation", "Tekalguda"), ("offensive", "Tekalguda")]
    text = ("M23 rebels overran parts of Goma on Tuesday. "
            "Congolese troops said they had driven the rebels out of a camp some 40 km away.")
    assert [(r.event_type, r.actor1, r.location) for r in code(text, D)] == [
        ("capture", "M23", "Goma"), ("capture", "Congolese forces", "")]


def test_the_holder_of_a_target_names_the_other_side_better_than_an_armed_noun(code):
    """"struck Boko Haram camps ..., killing dozens of fighters": the fighters
    are Boko Haram's; an armed noun with no name is not the other side when
    the target's holder is named."""
    (r,) = code("Chadian jets struck Boko Haram camps on the lake islands, killing dozens of fighters.", D)
    assert (r.actor1, r.actor2, r.actor2_code) == ("Chadian forces", "Boko Haram", "NGABKH")
    (r,) = code("Chadian jets struck camps on the lake islands, killing dozens of Boko Haram fighters.", D)
    assert (r.actor1, r.actor2) == ("Chadian forces", "Boko Haram")


def test_a_subject_with_an_including_apposition_is_found_across_it(code):
    """"Twelve Maoists, including two senior cadres, were killed in an
    encounter with ...": the victims are the Maoists.  The subject search
    steps over ", including ...," as over ", the capital of ...,"; and rules
    whose subject stands before "be" search for it at all (the possessive
    test of the rule compiler took the "'s" among the forms of "be" for a
    possessive, so those rules needed the subject right before "were")."""
    (r,) = code("Twelve Maoists, including two senior cadres, were killed in an encounter with security forces "
                "in Sukma.", D)
    assert (r.actor1, r.actor2, r.location, r.rule_id) == (
        "Indian forces", "Communist Party of India (Maoist)", "Sukma", "offensive.killed_in_clash_with")
    (r,) = code("Nine soldiers, including a captain, were killed in an ambush by JNIM fighters near Boni.", D)
    assert (r.actor1, r.actor2, r.location) == ("JNIM", "Malian forces", "Boni")


def test_the_losing_sides_retreat_told_with_a_capture_is_no_second_event(code):
    """"... captured the centre of Bunia as government troops fell back to the
    airport": one event, the capture; the retreat alone is a consolidation."""
    text = "Rebel fighters captured the centre of Bunia as government troops fell back to the airport."
    assert brief(code(text, D)) == [("capture", "rebels", "Congolese forces", "Bunia", D, "capture.active")]
    (r,) = code("Government troops fell back to the airport of Bunia to regroup.", D)
    assert (r.event_type, r.actor1, r.location) == ("consolidation", "Congolese forces", "Bunia")


def test_drones_used_to_attack_are_an_attack_made_not_one_meant(code):
    """The modality cue "to" (window 1) dropped "used drones to attack": an
    exception after "used / using <weapon>"; "plan to use drones to attack"
    is still a plan."""
    (r,) = code("Cartel gunmen used drones loaded with explosives to attack soldiers near Apatzingan.", D)
    assert (r.actor1, r.actor2, r.location) == ("gang members", "Mexican forces", "Apatzingan")
    (r,) = code("The rebels used drones to bomb army positions near Myawaddy.", D)
    assert (r.actor1, r.actor2, r.location) == ("rebels", "Myanmar forces", "Myawaddy")
    assert code("The rebels plan to use drones to attack the airport in Myawaddy.", D) == []
    assert code("The army wants to use artillery to shell rebel positions near Goma.", D) == []


def test_a_swarm_of_drones_at_a_countrys_base(code):
    """"a swarm / a wave of drones" is launched at a target as "dozens of
    drones"; and "the Saudi base in Jizan" is a base in Jizan, not a feature
    named "Saudi base" (a demonym says whose it is)."""
    (r,) = code("Houthi fighters launched a swarm of drones at the Saudi base in Jizan.", D)
    assert (r.actor1, r.location, r.rule_id) == ("Houthis", "Jizan", "offensive.launch_fire")
    (r,) = code("Resistance fighters sent a wave of drones toward the airport in Mandalay on Thursday.", D)
    assert (r.actor1, r.location, r.event_date) == ("rebels", "Mandalay", "2024-02-29")


def test_a_sides_posts_and_positions_are_a_place_it_holds(code):
    """"overran army positions near Bhamo", "captured a military post near
    Beni", "seized several FARDC positions around Sake": the labelling guide's
    capture of a military position or outpost.  The words named the army as
    an actor, so no capture rule found a place; now they are a place held by
    that side (the other side of the capture or attack), as "an army
    checkpoint" is.  Positions with no holder named stay no place."""
    (r,) = code("KIA fighters overran army positions near Bhamo on Tuesday.", D)
    assert (r.event_type, r.actor1, r.actor2, r.location, r.matched_text) == (
        "capture", "Kachin Independence Army", "Myanmar forces", "Bhamo",
        "KIA fighters overran army positions near Bhamo")
    (r,) = code("M23 seized several FARDC positions around Sake.", D)
    assert (r.event_type, r.actor1, r.actor2, r.location) == ("capture", "M23", "Congolese forces", "Sake")
    (r,) = code("Rebels captured a military post near Beni.", D)
    assert (r.event_type, r.actor2, r.location) == ("capture", "Congolese forces", "Beni")
    (r,) = code("Drones struck army positions in nearby Hantoub on Sunday.", D)
    assert (r.event_type, r.actor2, r.location) == ("offensive", "government forces", "Hantoub")
    assert code("Troops took positions around the town of Bunia.", D) == []
    assert code("The rebels took defensive positions near Kidal.", D) == []


def test_a_feature_opening_a_sentence_takes_no_article_into_its_name(code):
    """"The airport of Goma was captured ...": the place is Goma, not a
    feature named "The airport" (the capitalised article opening the
    sentence was taken for the first word of its name)."""
    (r,) = code("The airport of Goma was captured by M23 rebels on Monday.", D)
    assert (r.actor1, r.location) == ("M23", "Goma")


def test_a_verb_after_and_has_no_place_for_its_passive_subject(code):
    """"... members of the Islamic State's Sahel branch and seized rifles":
    "seized" is the active verb of the soldiers, coordinated by "and"; the
    passive rule took "Sahel" (three words back) for a region that was
    seized.  A place right before a reduced relative still is one."""
    assert code("Malian soldiers arrested nine suspected members of the Islamic State's Sahel branch and seized "
                "rifles and fuel during a sweep of villages near Menaka.", D) == []
    (r,) = code("Palmyra, the ancient city retaken from Islamic State in March, is being rebuilt.", D)
    assert (r.event_type, r.location, r.actor2) == ("capture", "Palmyra", "Islamic State")


def test_a_trend_over_months_is_no_event(code):
    """"attacks on the army have surged since last year's coup" tells a trend,
    not an attack (an exclusion of the offensive type; as all exclusions it
    holds for the whole sentence)."""
    assert code("Attacks on the army have surged since last year's coup, officials said.", D) == []
    # the limit of a sentence-wide exclusion: an attack told in the same sentence goes with it
    assert code("Attacks on the army have surged since the coup, and on Monday JNIM fighters attacked a base "
                "near Boni.", D) == []
    (r,) = code("Fighting between the army and the Arakan Army has intensified around Sittwe.", D)
    assert (r.actor1, r.actor2, r.location) == ("Myanmar forces", "Arakan Army", "Sittwe")


def test_a_mobilisation_or_units_moved_toward_a_border_are_no_consolidation(code):
    """The labelling guide: general mobilisation and build-ups on a border are
    not holding ground; reinforcements sent to hold a border town are."""
    assert code("Eritrea ordered a nationwide mobilisation and moved additional units toward the border with "
                "Tigray.", D) == []
    (r,) = code("The army sent reinforcements to the border town of Kurmuk to hold it.", D)
    assert (r.event_type, r.location) == ("consolidation", "Kurmuk")


def test_the_actor_of_an_x_held_word_holds_the_place(code):
    """"RSF-held neighbourhoods of Omdurman": RSF holds them (the other side),
    and "RSF-held" is no place name (it was: the place was 'RSF-held').  A
    generic armed noun or a country word holds a place the same way."""
    (r,) = code("Army artillery shelled RSF-held districts of Omdurman on Sunday.", D)
    assert (r.actor1, r.actor2, r.actor2_code, r.location, r.matched_text) == (
        "Sudanese Armed Forces", "Rapid Support Forces", "SDNRSF", "Omdurman",
        "Army artillery shelled RSF-held districts of Omdurman")
    (r,) = code("Syrian troops pushed into rebel-held areas of Idlib.", D)
    assert (r.actor1, r.actor2, r.location) == ("Syrian government forces", "rebels", "Idlib")
    (r,) = code("Kenyan troops stormed Somali-held districts of Mandera.", D)
    assert (r.actor1, r.actor2, r.location) == ("Kenyan forces", "Somali forces", "Mandera")


def test_a_weapon_named_with_its_owner_makes_the_owner_the_attacker(code):
    """A rule that starts with the weapon ("[jet|drone|artillery|...] struck
    ...") and may leave actor1 empty takes the actor whose name the weapon
    ends ("Russian fighter jets", "Military aircraft"): remote violence is an
    offensive whoever it hits, and now with its side.  A weapon with no owner
    named still leaves actor1 empty."""
    (r,) = code("Russian fighter jets struck a market in Saraqeb on Tuesday.", D)
    assert (r.actor1, r.actor1_code, r.actor2, r.location, r.rule_id, r.matched_text) == (
        "Russian forces", "RUSMIL", "", "Saraqeb", "offensive.remote_weapon",
        "Russian fighter jets struck a market in Saraqeb")
    assert r.civilian_targeting == "Civilian targeting"
    (r,) = code("Military aircraft bombed a crowd gathered for a rally in Kyaukme on Monday.", D)
    assert (r.actor1, r.location, r.event_date, r.rule_id) == ("Myanmar forces", "Kyaukme", "2024-03-04",
                                                               "offensive.remote_weapon")
    (r,) = code("Drones struck army positions in Omdurman on Sunday.", D)
    assert (r.actor1, r.actor2, r.location, r.rule_id) == ("", "Sudanese Armed Forces", "Omdurman",
                                                           "offensive.remote_weapon")


def test_an_optional_second_side_that_is_the_first_is_left_empty(code):
    """"{location} ... {actor2?}" took "the army" of a clause after the place,
    the attacker itself: the match was dropped, and with it the event (it had
    won over the other rules first). The optional side is left empty now; a
    required one still drops its match."""
    (r,) = code("Sudanese military aircraft struck Nyala on Sunday, hitting a site the army described as a depot.", D)
    assert (r.actor1, r.actor2, r.location, r.event_date, r.rule_id) == (
        "Sudanese Armed Forces", "", "Nyala", "2024-03-03", "offensive.attack_place")
    assert code("Iraqi forces attacked Iraqi troops in Mosul.", D) == []
    # nor is the speaker of a clause after the place ("a site the government described as ..."), which the
    # exclusion of a government as the other side dropped with the event
    (r,) = code("Ethiopian military aircraft struck Bahir Dar for the second time this week, hitting a site "
                "the government described as a Fano depot.", D)
    assert (r.actor1, r.actor2, r.location, r.rule_id) == ("Ethiopian forces", "", "Bahir Dar",
                                                           "offensive.attack_place")


def test_a_grenade_launcher_is_a_gun_not_a_bombing(code):
    """The bombing exclusion ("grenade") does not hold when the words of
    guns stand in the sentence too: rifles, a grenade launcher, an RPG."""
    assert brief(code("Six soldiers were killed when gunmen attacked a military convoy near Culiacan with assault "
                      "rifles and a grenade launcher.", D)) == [
        ("offensive", "unidentified gunmen", "Mexican forces", "Culiacan", D, "offensive.forces_killed")]
    assert code("A grenade thrown into a police station in Kano wounded three officers.", D) == []


def test_a_generic_word_before_a_groups_name_describes_the_group(code):
    """"the paramilitary Rapid Support Forces", "the rebel M23": one actor,
    not unidentified gunmen beside it."""
    assert brief(code("The army and the paramilitary Rapid Support Forces fought in Omdurman on Sunday.", D)) == [
        ("offensive", "Sudanese Armed Forces", "Rapid Support Forces", "Omdurman", "2024-03-03",
         "offensive.clash_pair")]
    (r,) = code("Congolese troops retook Sake from the rebel M23 on Friday.", D)
    assert (r.actor1, r.actor2, r.location, r.matched_text) == (
        "Congolese forces", "M23", "Sake", "Congolese troops retook Sake from the rebel M23")


def test_navy_ships_and_helicopters_are_the_countrys_forces(code):
    assert brief(code("A navy helicopter fired on rebel boats near Jolo on Sunday.", D)) == [
        ("offensive", "Philippine forces", "rebels", "Jolo", "2024-03-03", "offensive.remote_weapon")]
    (r, _) = code("Navy vessels anchored offshore shelled Kyaukphyu after Arakan Army fighters seized a police station "
                  "in the town.", D)
    assert (r.event_type, r.actor1, r.actor2, r.location) == ("offensive", "Myanmar forces", "Arakan Army", "Kyaukphyu")


def test_a_bombing_told_beside_a_disaster_is_still_a_strike(code):
    """The accident / disaster exclusion ("earthquake") does not hold beside
    the words of a bombing or shelling; an earthquake or a crash alone still
    gives nothing."""
    (r,) = code("A day after the earthquake, junta aircraft bombed villages in Kyaukme township on Monday.", D)
    assert (r.actor1, r.location, r.event_date, r.rule_id) == ("Myanmar forces", "Kyaukme", "2024-03-04",
                                                               "offensive.remote_weapon")
    assert code("The earthquake struck Kyaukme on Monday, killing 20 soldiers at a base.", D) == []
    assert code("An aircraft crash near Gao killed 12 soldiers on Monday.", D) == []


def test_fds_are_the_countrys_defence_and_security_forces(code):
    """"FDS" (Forces de défense et de sécurité) is a state word, as "the
    army" is: the state of the document's country, here not clear (a Malian
    group's code, a place in Niger), so the generic government forces."""
    (r,) = code("FDS units were ambushed by IS-Sahel fighters near Ayorou on Sunday.", D)
    assert (r.actor1, r.actor2, r.actor2_code, r.location) == (
        "Islamic State Sahel Province", "government forces", "MIL", "Ayorou")


def test_attacks_blamed_on_a_group_are_the_groups(code):
    """"Attacks blamed on X": X made them (it had been read as their target,
    "blamed" passed over as a filler word); with armed victims named, X
    against them, else nothing."""
    assert brief(code("An ambush blamed on JNIM killed 12 soldiers near Boni on Tuesday.", D)) == [
        ("offensive", "JNIM", "Malian forces", "Boni", D, "offensive.attacks_attributed")]
    assert code("Attacks blamed on the cartel killed 12 civilians in Zamora.", D) == []


def test_fighters_killed_in_a_clash_with_a_side_are_that_sides_targets(code):
    """"X were killed in an encounter with Y": one clash, Y against X (not
    X as victims with no attacker and a second record for the encounter)."""
    assert brief(code("Nine Naxalites were killed in an encounter with security forces in Dantewada on Monday.", D)) \
        == [("offensive", "Indian forces", "Communist Party of India (Maoist)", "Dantewada", "2024-03-04",
             "offensive.killed_in_clash_with")]


def test_one_event_told_with_a_participle_clause_is_one_record(code):
    assert brief(code("RSF fighters attacked El Fasher, clashing with the army.", D)) == [
        ("offensive", "Rapid Support Forces", "Sudanese Armed Forces", "El Fasher", D, "offensive.attack_place")]
    assert brief(code("M23 rebels attacked Sake, clashing with the army.", D)) == [
        ("offensive", "M23", "Congolese forces", "Sake", D, "offensive.attack_place")]


def test_a_killing_told_after_a_comma_is_the_outcome_of_the_attack(code):
    """", killing five fighters": the victims of the shelling before it, not a
    second attack by the shelled side (the subject search found "rebel
    positions"); its place is the attack's.  A clash somewhere else the
    clause names is an event of its own."""
    assert brief(code("The army shelled rebel positions, killing five fighters in Idlib.", D)) == [
        ("offensive", "Syrian government forces", "rebels", "Idlib", D, "offensive.attack_place")]
    (r,) = code("The army shelled rebel positions near Idlib, killing five fighters.", D)
    assert (r.actor1, r.actor2, r.location, r.fatalities) == ("Syrian government forces", "rebels", "Idlib", 5)
    assert [(r.actor2, r.location) for r in code(
        "Malian troops advanced on Gao, clashing with rebels near Bourem.", D)] == [
        ("", "Gao"), ("rebels", "Bourem")]


# -- precision traps -------------------------------------------------------------

def test_arson_beside_a_shooting_is_still_a_fight(code):
    assert brief(code("Rebels set fire to an army post and opened fire on soldiers in Kidal.", D)) == [
        ("offensive", "rebels", "Malian forces", "Kidal", D, "offensive.fire_on")]


def test_a_capture_near_an_election_or_a_share_is_still_a_capture(code):
    """The election and game exclusions need the words of a vote or a title
    won, not an election named near a capture."""
    assert brief(code("Rebels seized Goma on Sunday, weeks before the presidential election.", D)) == [
        ("capture", "rebels", "", "Goma", "2024-03-03", "capture.active")]
    assert brief(code("The army captured 80 percent of Mosul's western half on Sunday.", D)) == [
        ("capture", "Iraqi forces", "", "Mosul", "2024-03-03", "capture.possessive")]


@pytest.mark.parametrize(
    "text",
    [
        "Police seized two rifles and 40 rounds from the hideout.",
        "Soldiers seized three rifles and a pistol from the house.",
        "Gunmen killed five villagers in Zamfara.",
        "Gunmen killed six farmers in Katsina.",
        "Troops took positions around the town.",
        "Soldiers took positions around the village.",
        "The rebels vowed to take Goma.",
        "The militants vowed to capture Gao.",
        "Prices fell to a record low in Mosul.",
        "Fuel prices fell to a new low in Aden.",
        "A chance encounter between the two ministers took place in Delhi.",
        "Ethiopian troops advanced toward the border near Humera.",
        # an election and a game: no place taken, no fight
        "Maria Lopez stormed to victory in the presidential election on Sunday, capturing nearly 55% of the vote.",
        "Import Jay Washington led the charge with 30 points, and the Beermen blew the game open with a 14-0 "
        "offensive burst early in the fourth quarter.",
        "The Hotshots have now fallen short in three straight title battles against the crowd favourites.",
        # arson: "fire ... at" is no opening of fire
        "Suspected NPA rebels set fire to two backhoes and a dump truck at a road construction site in Quezon.",
    ],
)
def test_precision_traps_give_nothing(code, text):
    assert code(text, D) == []


def test_explain_names_the_word_that_made_an_attack_one_on_civilians():
    result = CliRunner().invoke(app, ["explain", "Gunmen attacked a village in Katsina, killing six farmers."])
    assert result.exit_code == 0
    assert ("dropped: excluded: an attack by an armed group on a village or civilians only "
            "(ACLED Violence against civilians) (the words 'village')") in result.stdout
    assert result.stdout.rstrip().endswith("0 records")
