"""coder.events.fatalities: ACLED-style death counts (docs/coding.md, Fatalities).

Every sentence here was written for this test."""

from __future__ import annotations

import pytest

from coder.events.fatalities import document_count, sentence_mentions
from coder.pipeline import code_document
from coder.text.document import Document


@pytest.mark.parametrize(("sentences", "value"), [
    (["Rebels stormed the garrison, killing twelve soldiers."], 12),
    (["A dozen guards were killed when the convoy was hit."], 12),
    (["Two dozen fighters died in the assault."], 24),
    (["Dozens of villagers were killed in the raid."], 12),
    (["Scores of people were killed as the town was shelled."], 20),
    (["Hundreds were killed in the siege, residents said."], 100),
    (["At least 30 troops were killed in the ambush."], 30),
    (["More than 20 militants were killed, the army said."], 20),
    (["Up to 15 people died when the shell hit the square."], 15),
    (["Between 12 and 20 civilians were killed in the attack."], 12),
    (["The strike left 1,200 people dead."], 1200),
    (["Gunmen attacked the post, killing eight soldiers and 15 militants."], 23),
    (["Five gendarmes and a driver were killed when the patrol was ambushed."], 6),
    (["Militants ambushed a convoy near the river.", "Twelve soldiers died in the fighting."], 12),
    (["The attack wounded 14 policemen and injured three bystanders."], 0),
    (["Four officers were missing and nine were abducted after the raid."], 0),
    (["The army shelled the ridge; no casualties were reported."], 0),
    (["The rebels attacked the base.", "The war has killed 13,000 people since 2019."], 0),
    (["Jets bombed the camp, killing at least 14 people.", "A hospital later put the toll at 19."], 14),
    (["Shells hit the market, killing four.", "The death toll later rose to nine."], 9),
    (["Troops killed 9 insurgents; 3 soldiers were also killed."], 12),
    (["Six attackers were killed, including two commanders, officials said."], 6),
    (["Seven people, including three children, lost their lives in the blast."], 7),
    (["Police found the bodies of 11 men near the road."], 11),
    # an earlier incident told after a comma is not this event's
    (["Militia fighters burned homes in the valley, two days after an ambush nearby killed 17 people."], 0),
    (["Gunmen shot dead five farmers near the dam, a week after a landmine killed three soldiers there."], 5),
    (["Three days after the assault, the death toll rose to 30."], 30),  # this event, dated
    (["A captain and four soldiers were killed when the post was overrun."], 5),
    (["Six militants were killed and one of the soldiers later died of his wounds."], 7),
    (["Rangers found the bodies of 4 rhinos and 12 cattle were killed by the raiders."], 0),
    (["Nord-Kivu, Beni: ADF raid on a farm; sev. killed, per local sources."], 3),
    (["The rebels took the district.", "The group killed thousands during its rule between 2014 and 2017."], 0),
    (["Medics said the death toll ranged from 25 to 40."], 25),
    (["Eleven rebels were gunned down by K-9 unit commandos on Sunday."], 11),
    # notes: abbreviations with their full stop, lists with commas, KIA of each side
    (["Idlib, Sarmin: SAA shelling of mkt; 6 civ. killed, 9 inj., per SCD."], 6),
    (["Tillaberi reg.: ISGS att. on army post; 7 terr. killed, per MoD."], 7),
    (["Sool, Las Anod: SSC-Khatumo vs SL army; 6 SL soldiers, 4 militiamen KIA, 12 WIA."], 10),
    (["Diffa: BH raid on FDS post; 4 KIA incl. 1 Lt, 2 assailants killed."], 6),
    (["Anbar: ISIS ambush on army patrol; 2 IA KIA, 1 ISIS KIA."], 3),
    (["Lac prov.: BH att.; mult. soldiers killed, per local sources."], 3),
    # one person by a noun, a title before a name, a denial
    (["A shell killed a 70-year-old man and a girl in the village, officials said."], 2),
    (["Police killed Maoist commander Ramesh Kunjam and two of his guards in the forest on Friday."], 3),
    (["A district commander and two of his guards died when their car hit a mine."], 3),
    (["The army said no soldiers were killed in the raid, denying a rebel claim that nine troops died."], 0),
    # the other side's dead, a toll that rose further in the sentence
    (["Gunmen killed six villagers' guards in an ambush, and police said they killed about 10 of the attackers."], 16),
    (["The death toll from clashes between police and rioters in the port city rose to 14, medics said."], 14),
    # names after a victim noun, "+", "a" + any singular noun after a killing verb, "the loss of"
    (["Rebels ambushed the convoy, killing 12 members of the Civilian Joint Task Force (CJTF) and four soldiers."], 16),
    (["Nine constables of the State Armed Police and their driver were killed in the blast."], 10),
    (["Hama, Kafr Zita: SAA vs HTS; 2 SAA soldiers + 5 HTS fighters killed per SOHR."], 7),
    (["Insurgents stormed the village at dawn, beheading a schoolteacher and two of his sons."], 3),
    (["The gunmen killed a family of six in their home near the market."], 6),
    (["Troops killed 30 rebels, the army said, while admitting the loss of four soldiers and two militiamen."], 36),
    (["A mob burned to death three suspected kidnappers after a chase through the market."], 3),
    (["Clashes killed five displaced people and injured 11 in the camp."], 5),
    (["AS lost dozens per SNA; govt figures n/a."], 12),
    # a reference to another incident is not this one's toll
    (["Police arrested four men in connection with a bombing that killed 14 people in May."], 0),
    (["The junta expelled two reporters over their coverage of a raid in which 30 villagers were killed."], 0),
    (["Gunmen fired on a police post.", "The district had seen an ambush in March that killed 11 policemen."], 0),
    (["The town was the scene of a massacre in 2019 that left at least 80 people dead."], 0),
    (["A court jailed two men for their role in the 2017 bombing of a bus station, which killed 26 people."], 0),
    (["The remains of 150 soldiers killed near the river were repatriated in an exchange on Friday."], 0),
    (["Rebels claim 'dozens' of troops KIA, army says no losses."], 0),
    (["The senate killed a bill that would have armed village guards."], 0),
    # one person by "was", a part of a figure, a toll raised further on
    (["Militants torched a clinic; an elderly nurse was killed and six people were missing."], 1),
    (["Jets struck the camp, killing at least 18 fighters.", "Residents said some of the dead were shepherds."], 18),
    (["A drone hit a school, killing three people.", "By evening the ministry had raised the toll to eight."], 8),
])
def test_document_count(sentences, value):
    assert document_count(sentences).value == value


def test_the_words_that_gave_the_count():
    count = document_count(["Gunmen attacked the post, killing eight soldiers and 15 militants."])
    assert count.text == "killing eight soldiers and 15 militants"
    [m] = sentence_mentions("At least 30 troops were killed in the ambush.")
    assert (m.value, m.kinds, m.text) == (30, ("state",), "At least 30 troops were killed")


def test_a_number_that_is_no_head_count():
    assert document_count(["Ten soldiers were killed 40 km from the capital in 2021 fighting."]).value == 10
    assert document_count(["Two 19-year-old recruits were killed on Monday."]).value == 2


def code(compiled, text, date="2024-05-10"):
    records, _ = code_document(compiled, Document("d", text, date, ""))
    return records


def test_records_carry_the_count_of_their_incident(compiled):
    records = code(compiled, "Iraqi and Kurdish forces attacked Islamic State fighters in Mosul on Friday. "
                             "Nine militants died in the fighting.")
    assert [(r.event_type, r.location, r.fatalities, r.fatalities_text) for r in records] == [
        ("offensive", "Mosul", 9, "Nine militants died")]
    assert (records[0].actor1, records[0].assoc_actor_1) == ("Iraqi forces", "Kurdish forces")


def test_one_incident_is_counted_once(compiled):
    records = code(compiled, "Malian troops recaptured Kidal from rebels on Friday after clashes that "
                             "left at least 12 people dead.")
    assert [(r.event_type, r.fatalities) for r in records] == [("capture", 12), ("offensive", 0)]
    assert sum(r.fatalities for r in records) == 12


def test_no_deaths_reported_is_zero(compiled):
    records = code(compiled, "Malian troops recaptured Kidal from rebels on Friday.")
    assert [(r.fatalities, r.fatalities_text) for r in records] == [(0, "")]


def test_explain_shows_the_words_that_gave_the_count():
    from typer.testing import CliRunner

    from coder.cli import app

    text = "Rebels attacked the army in Aleppo on Monday, killing nine soldiers. Four rebels also died."
    result = CliRunner().invoke(app, ["explain", text, "--doc-date", "2024-05-10"])
    assert result.exit_code == 0
    assert ("    fatalities: 13\n"
            "      from the words: 'killing nine soldiers + Four rebels also died'\n") in result.stdout


def test_the_word_list_format():
    from coder.events.fatalities import parse_words

    data = parse_words("# a comment\n[numbers]\ntwelve = 12\n[count_before]\nlost their lives\n"
                       "[victims state]\nsoldiers\n")
    assert data == {"victims": {"state": ["soldiers"]}, "numbers": {"twelve": 12},
                    "count_before": ["lost their lives"]}
    with pytest.raises(ValueError, match=r"^f.txt:1: an entry before any \[section\]$"):
        parse_words("killed\n", "f.txt")
    with pytest.raises(ValueError, match=r"^f.txt:2: expected 'words = number', got 'twelve'$"):
        parse_words("[numbers]\ntwelve\n", "f.txt")
