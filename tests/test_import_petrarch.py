"""coder codebook import-petrarch: PETRARCH2 / TABARI dictionaries -> codebook.

The fixture dictionaries in tests/data/petrarch/ are small files written in
the real formats (Phoenix actors and agents, CAMEO.2.0 verb patterns, TABARI
verb patterns), with one entry for each case the importer handles.
"""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.authoring.lint import lint_codebook
from coder.authoring.petrarch import import_petrarch
from coder.cli import app
from coder.codebook import load_codebook
from coder.errors import InputError
from coder.match.compile import compile_codebook
from coder.pipeline import code_document
from coder.text.document import Document

FIXTURES = Path(__file__).resolve().parent / "data" / "petrarch"
D = str(FIXTURES)


def run(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("petrarch") / "petrarch.yaml"
    report = import_petrarch(D, str(out))
    return out, report


def actors_of(cb):
    return [
        (a.code, a.name, a.inter, a.country, [(x.text, True) if x.case_sensitive else x.text for x in a.aliases])
        for a in cb.actors
    ]


def test_the_codebook_loads_and_lints_without_errors(imported):
    out, _ = imported
    cb = load_codebook(out)
    assert cb.name == "petrarch"
    assert sorted(cb.event_types) == ["capture", "consolidation", "offensive"]
    assert not [f for f in lint_codebook(out) if f.level == "error"]
    assert not list(out.parent.glob(".*.tmp"))  # the temporary file was renamed


def test_actors_one_per_code(imported):
    cb = load_codebook(imported[0])
    assert actors_of(cb) == [
        ("IRQ", "Iraq", 1, "IRQ", ["Iraq", "Iraqi", "Baghdad"]),
        ("SYR", "Syria", 1, "SYR", ["Syria", "Syrian", "Damascus"]),
        ("IRQMIL", "Iraq military", 1, "IRQ", ["Iraqi Army", "Iraqi Soldiers"]),
        # date restrictions: the code valid at the latest date
        ("IRQELI", "Iraq elites", 7, "IRQ", ["Nuri al-Maliki"]),
        ("IRQGOV", "Iraq government", 1, "IRQ", ["Haider al-Abadi", "Saddam Hussein"]),
        ("IMGMUSISI", "Islamic State", 2, "", ["Islamic State", "Isis", ("IS", True), "Daesh"]),
        ("SYRELI", "Syria elites", 7, "SYR", ["Bad Date Person"]),
        ("MUS", "Mauritius", 1, "MUS", ["Mauritius"]),
        # agents: generic actors, plurals made as PETRARCH makes them
        ("MIL", "military", 1, "", ["Troop", "Troops", "Soldier", "Soldiers", "Army"]),
        ("COP", "police", 1, "", ["Policeman", "Policemen", "Police"]),
        ("REB", "rebels", 2, "", ["Militant", "Militants"]),
        ("GOV", "government", 1, "", ["Foreign Ministry", "Foreign Ministries"]),
        ("GOVBUS", "government (business)", 1, "", ["Chief Executive", "Chief Executives"]),
        ("NGO", "non-governmental organisation", 7, "", ["Red Cross", "Red Crosses"]),
        # the agent code MUS (Muslim) is also the country code of Mauritius
        ("AGTMUS", "Muslim", 7, "", ["Imam", "Imams", "Cleric", "Clerics"]),
    ]


def test_other_date_restricted_codes_are_kept_in_a_comment(imported):
    text = imported[0].read_text()
    assert ("      - Nuri al-Maliki  # Test.actors.txt:17; PETRARCH: IRQELI 1950-01-01..2006-05-19, "
            "IRQGOV 2006-05-20..2014-09-08, IRQELI; kept IRQELI\n") in text
    assert ("      - Haider al-Abadi  # Test.actors.txt:21; PETRARCH: IRQELI 2012-01-01..2014-09-07, "
            "IRQGOV 2014-09-08..; kept IRQGOV 2014-09-08..\n") in text


VERBS = "[attack|assault|fight back|duel|shell]"


def test_verb_patterns_become_rules(imported):
    cb = load_codebook(imported[0])
    assert [(r.id, r.event_type, r.cameo, r.pattern) for r in cb.rules] == [
        # the rules of a block, most pattern words first (the more specific wins a tie)
        ("attack.193.line30", "offensive", "193", f"{{actor1}} {VERBS} [by|with] small arms ... {{actor2?}}"),
        (
            "attack.194.line26",
            "offensive",
            "194",
            f'{{actor1}} {VERBS} with [gun|"artillery"|mi-24|hind] ... {{actor2?}}',
        ),
        ("attack.190.line27", "offensive", "", f"{{actor1}} {VERBS} positions of {{actor2}}"),
        ("attack.195.line33", "offensive", "195", f"{{actor1}} {VERBS} air raid ... {{actor2?}}"),
        ("attack.195.line25", "offensive", "195", f'{{actor1}} ["warplane"|"jet"] {VERBS} ... {{actor2?}}'),
        ("attack.193.line28", "offensive", "193", f"{{actor1}} {VERBS} against {{actor2}}"),
        # isolated verbs: one rule per code
        ("attack.190.verbs", "offensive", "", "{actor1} [attack|assault|fight back|duel] {actor2}"),
        ("attack.194.verbs", "offensive", "194", "{actor1} shell {actor2}"),
        # a passive code [:190]: the subject is the target
        ("die.p190.line41", "offensive", "", "{actor2} die in clashes"),
        ("occupy.192.line46", "capture", "", "{actor1} [occupy|seize] control of {actor2}"),
        ("occupy.192.verbs", "capture", "", "{actor1} [occupy|seize] {actor2}"),
        ("mobilize.154.line53", "consolidation", "", "{actor1} [mobilize|mobilise] troops ... {actor2?}"),
        ("mobilize.153.line54", "consolidation", "153", "{actor1} [mobilize|mobilise] police ... {actor2?}"),
        ("mobilize.154.verbs", "consolidation", "", "{actor1} [mobilize|mobilise] {actor2}"),
    ]
    assert cb.inflections["duel"] == ["duelling", "duelled"]  # DUEL {DUELS DUELLING DUELLED}
    rule = next(r for r in cb.rules if r.id == "attack.195.line33")
    assert (
        rule.description
        == "Test.verbs.txt:33: ATTACK: - * {AIR RAID} [1952] (1952 is not in the CAMEO list: coded as 195)"
    )
    assert [(e.text, e.expect) for e in rule.examples] == [
        (
            "Iraq attack air raid then Syria.",
            [{"event_type": "offensive", "actor1": "Iraq", "actor2": "Syria", "cameo_code": "195"}],
        )
    ]


def test_the_report_says_what_was_not_converted_with_file_and_line(imported):
    lines = [str(r) for r in imported[1].lines if r.kind != "converted"]
    assert lines == [
        f"{D}/Test.actors.txt:33: skipped: 'Kurdish Nobody' has no code (PETRARCH uses such entries to stop a name "
        f"from matching)",
        f"{D}/Test.actors.txt:34: skipped: 'Anonymous Official' has no code at the latest date (IRQGOV "
        f"2010-01-01..2012-01-01, ---)",
        f"{D}/Test.actors.txt:35: skipped: bad date '2012XX01-20130101' in [SYRGOV 2012XX01-20130101] (>DATE, <DATE "
        f"or DATE-DATE)",
        f"{D}/Test.actors.txt:36: skipped: 'Syrian' is already an alias of SYR (Test.actors.txt:9), so not of SYRMIL",
        f"{D}/Test.actors.txt:37: skipped: 'syr' is not an actor code (3-15 capital letters or digits)",
        f"{D}/Test.agents.txt:12: note: words separated by blanks are matched next to each other (PETRARCH lets other "
        f"words stand between them)",
        f"{D}/Test.agents.txt:13: skipped: substitution marker !BOSS! is not defined",
        f"{D}/Test.agents.txt:15: skipped: '[GOV]' is not an agent code ([~ABC] or [ABC~])",
        f"{D}/Test.agents.txt:16: skipped: 'Soldier' is already an alias of MIL (Test.agents.txt:6)",
        f"{D}/Test.agents.txt:16: skipped: 'Soldiers' is already an alias of MIL (Test.agents.txt:6)",
        f"{D}/Test.agents.txt:17: note: agent code MUS is also the code of actor 'Mauritius': these agents become "
        f"actor AGTMUS",
        f"{D}/Test.verbs.txt:10: skipped: synset member 'MACHINE|GUN' has a character the pattern language cannot hold",
        (
            f"{D}/Test.verbs.txt:24: skipped: null code [---]: PETRARCH uses it to stop ATTACK verbs from coding this "
            f"phrase; "
            "coder has no such exception, so rules attack.190.verbs, attack.194.verbs still code it"
        ),
        f"{D}/Test.verbs.txt:29: skipped: same pattern as rule attack.193.line28 (Test.verbs.txt:28)",
        f"{D}/Test.verbs.txt:31: skipped: [190] pattern uses an actor to skip (^), neither source nor target: no slot "
        f"can express it",
        f"{D}/Test.verbs.txt:32: skipped: [194] pattern uses a synset not defined (&MISSILE)",
        f"{D}/Test.verbs.txt:34: skipped: [155] 155 is not in the CAMEO list",
        f"{D}/Test.verbs.txt:36: skipped: [080!] is not a CAMEO code",
        (
            f"{D}/Test.verbs.txt:37: skipped: the converted rule attack.190.line37 does not code its example "
            "'Iraq never attack then Syria.': record 1: rule gave no record (records from other rules: none)"
        ),
        f"{D}/Test.verbs.txt:48: skipped: [192] a verb transformation (~) has no equivalent in the pattern language",
    ]


def test_the_report_says_what_was_converted(imported):
    lines = [str(r) for r in imported[1].lines if r.kind == "converted"]
    assert lines[:3] == [
        f"{D}/Test.actors.txt:4: converted: IRQ: Iraq (3 aliases)",
        f"{D}/Test.actors.txt:8: converted: SYR: Syria (3 aliases)",
        f"{D}/Test.actors.txt:13: converted: IRQMIL: Iraqi Army (2 aliases)",
    ]
    assert (
        f"{D}/Test.actors.txt:17: converted: IRQELI: Nuri al-Maliki (1 alias); 2 other date-restricted codes in a "
        f"comment"
        in lines
    )
    assert (
        f"{D}/Test.verbs.txt:23: converted: rule attack.194.verbs (offensive, cameo 194): {{actor1}} * {{actor2}}"
        in lines
    )
    assert (
        lines[-1]
        == f"{D}/Test.verbs.txt:54: converted: rule mobilize.153.line54 (consolidation, cameo 153): {{actor1}} * "
           f"police ... {{actor2?}}"
    )


def test_the_summary_counts_per_section_and_code(imported):
    summary = imported[1].summary().splitlines()
    assert summary[:3] == [
        f"read {D}/Test.actors.txt (actors)",
        f"read {D}/Test.agents.txt (agents)",
        f"read {D}/Test.verbs.txt (verb patterns, PETRARCH2 format)",
    ]
    assert summary[3:13] == [
        "actors: 9 entries converted; skipped: 5; duplicate aliases: 0",
        "agents: 11 entries converted; skipped: 2; duplicate aliases: 2",
        "verbs: 14 rules converted; skipped: 8; duplicate patterns: 1; not imported: 3 patterns of other codes, 0 of "
        "the null code [---]",
        "  153: 1 converted; skipped: 0; duplicates: 0",
        "  154: 2 converted; skipped: 0; duplicates: 0",
        "  190: 3 converted; skipped: 2; duplicates: 0",
        "  192: 2 converted; skipped: 1; duplicates: 0",
        "  193: 2 converted; skipped: 0; duplicates: 1",
        "  194: 2 converted; skipped: 1; duplicates: 0",
        "  195: 2 converted; skipped: 0; duplicates: 0",
    ]
    assert summary[13].startswith("codebook: 15 actors (37 aliases), 14 rules, written to ")


def test_converted_rules_code_sentences(imported):
    compiled = compile_codebook(load_codebook(imported[0]))

    def code(text):
        records, _ = code_document(compiled, Document("t", text, "2017-11-03"))
        return [(r.event_type, r.actor1_code, r.actor2_code, r.cameo_code, r.rule_id) for r in records]

    assert code("Iraqi soldiers shelled Islamic State fighters west of Mosul on Monday.") == [
        ("offensive", "IRQMIL", "IMGMUSISI", "194", "attack.194.verbs")
    ]
    assert code("Iraqi soldiers attacked positions of Islamic State near Mosul.") == [
        ("offensive", "IRQMIL", "IMGMUSISI", "190", "attack.190.line27")
    ]
    assert code("Islamic State seized control of Baghdad in June.") == [
        ("capture", "IMGMUSISI", "IRQ", "192", "occupy.192.line46")
    ]
    assert code("Militants died in clashes on Sunday.") == [("offensive", "", "REB", "190", "die.p190.line41")]
    # the cues of the shipped codebook come along
    assert code("Iraqi soldiers would never attack Syria.") == []


def test_date_keeps_the_codes_valid_on_that_day(tmp_path):
    out = tmp_path / "p.yaml"
    report = import_petrarch(D, str(out), date=dt.date(2010, 1, 1))
    cb = load_codebook(out)
    assert cb.actor("IRQGOV").aliases[0].text == "Nuri al-Maliki"
    skipped = [str(r) for r in report.lines if r.path.endswith("actors.txt") and r.kind == "skipped"]
    assert (
        f"{D}/Test.actors.txt:21: skipped: 'Haider al-Abadi' has no code on 2010-01-01 (IRQELI "
        f"2012-01-01..2014-09-07, IRQGOV 2014-09-08..)"
        in skipped
    )
    assert (
        f"{D}/Test.actors.txt:24: skipped: 'Saddam Hussein' has no code on 2010-01-01 (IRQGOV 1979-07-16..2003-04-09)"
        in skipped
    )
    assert (
        f"{D}/Test.actors.txt:34: skipped: 'Anonymous Official' has no code on 2010-01-01 (IRQGOV "
        f"2010-01-01..2012-01-01, ---)"
        not in skipped
    )
    assert "Anonymous Official" in [a.text for a in cb.actor("IRQGOV").aliases]


def test_all_codes_adds_event_types_named_by_code(tmp_path):
    out = tmp_path / "p.yaml"
    report = import_petrarch(D, str(out), all_codes=True)
    cb = load_codebook(out)
    assert sorted(cb.event_types) == [
        "cameo_040",
        "cameo_042",
        "cameo_043",
        "cameo_1711",
        "capture",
        "consolidation",
        "offensive",
    ]
    et = cb.event_types["cameo_043"]
    assert (et.cameo, et.acled_event_type, et.acled_sub_event_type) == ("043", "Strategic developments", "Other")
    assert et.description == "CAMEO 043: Host a visit (from PETRARCH)"
    rules = {r.id: (r.event_type, r.pattern) for r in cb.rules}
    assert rules["meet.040.verbs"] == ("cameo_040", "{actor1} meet {actor2}")
    assert rules["meet.042.line58"] == ("cameo_042", "{actor1} meet with {actor2}")
    assert rules["attack.043.line35"] == ("cameo_043", f"{{actor1}} {VERBS} headquarters ... {{actor2?}}")
    assert report.not_selected == 0
    assert any(
        str(r).endswith(
            "converted: rule meet.042.line58 (cameo_042): {actor1} * with {actor2} (passive code 043 dropped)"
        )
        for r in report.lines
    )


def test_tabari_patterns(tmp_path):
    out = tmp_path / "p.yaml"
    report = import_petrarch(D, str(out), verbs=["tabari.verbpatterns.txt"])
    cb = load_codebook(out)
    assert [(r.id, r.pattern) for r in cb.rules] == [
        ("physical_conflict.190.line17", "{actor1} [attack|clash] ... in fierce fighting ... {actor2?}"),
        ("physical_conflict.190.line13", '{actor2} ["was"|"were"] ... [attack|clash] ... by ... {actor1}'),
        ("physical_conflict.190.verbs", "{actor1} [attack|clash] {actor2}"),
        ("physical_conflict.190.line12", "{actor1} [attack|clash] ... {actor2}"),
    ]
    assert [str(r) for r in report.lines if r.path.endswith("tabari.verbpatterns.txt") and r.kind != "converted"] == [
        f"{D}/tabari.verbpatterns.txt:14: skipped: [190] pattern uses a compound actor (%), source and target in one "
        f"phrase: no slot can express it",
        f"{D}/tabari.verbpatterns.txt:15: skipped: [194] pattern uses a synset not defined (&WEAPON)",
    ]
    assert ("read " + D + "/tabari.verbpatterns.txt (verb patterns, TABARI format)") in report.summary()
    records, _ = code_document(
        compile_codebook(cb), Document("t", "Syria was attacked on Sunday by Iraq.", "2017-11-03")
    )
    assert [(r.actor1_code, r.actor2_code, r.rule_id) for r in records] == [
        ("IRQ", "SYR", "physical_conflict.190.line13")
    ]


def test_a_petrarch_config_names_the_files(tmp_path):
    dicts = tmp_path / "data" / "dictionaries"
    shutil.copytree(FIXTURES, dicts)
    (dicts / "Other.actors.txt").write_text("NOWHERE_ [XXX]\n")
    (tmp_path / "data" / "config").mkdir()
    (tmp_path / "data" / "config" / "PETR_config.ini").write_text(
        "[Dictionaries]\nverbfile_name = tabari.verbpatterns.txt\n"
        "actorfile_list = Test.actors.txt\nagentfile_name = Test.agents.txt\n"
    )
    report = import_petrarch(str(dicts), str(tmp_path / "p.yaml"))
    assert [path for path, _ in report.files] == [
        f"{dicts}/Test.actors.txt",
        f"{dicts}/Test.agents.txt",
        f"{dicts}/tabari.verbpatterns.txt",
    ]


def test_a_line_that_is_not_utf8_is_read_as_windows_1252(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "d")
    with open(tmp_path / "d" / "Test.actors.txt", "ab") as f:
        f.write(b"COTE_D\x92IVOIRE_  [CIV]\n")
    report = import_petrarch(str(tmp_path / "d"), str(tmp_path / "p.yaml"))
    assert f"{tmp_path}/d/Test.actors.txt:39: note: not UTF-8 (byte 0x92): read as Windows-1252" in [
        str(r) for r in report.lines
    ]
    assert load_codebook(tmp_path / "p.yaml").actor("CIV").name == "Cote d’Ivoire"


def test_missing_dictionaries_are_errors(tmp_path):
    with pytest.raises(InputError) as exc:
        import_petrarch(str(tmp_path / "nowhere"), str(tmp_path / "p.yaml"))
    assert str(exc.value) == f"{tmp_path}/nowhere: not a directory of PETRARCH dictionaries"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.actors.txt").write_text("IRAQ_ [IRQ]\nSYRIA_ [SYR]\n")
    with pytest.raises(InputError) as exc:
        import_petrarch(str(tmp_path / "d"), str(tmp_path / "p.yaml"))
    assert str(exc.value) == f"{tmp_path}/d: no verb dictionary (*.verbs.txt); name one with --verbs"
    assert exc.value.problems[0].code == "petrarch-empty"
    (tmp_path / "d" / "a.verbs.txt").write_text("--- MEET [040] ---\nMEET\n- * (WITH +) [043]\n")
    with pytest.raises(InputError) as exc:
        import_petrarch(str(tmp_path / "d"), str(tmp_path / "p.yaml"))
    assert str(exc.value) == (
        f"{tmp_path}/d: no verb pattern could be converted into a rule "
        "(only CAMEO 15x and 19x codes are imported without --all-codes)"
    )
    assert not (tmp_path / "p.yaml").exists()
    import_petrarch(str(tmp_path / "d"), str(tmp_path / "p.yaml"), all_codes=True)
    assert [r.pattern for r in load_codebook(tmp_path / "p.yaml").rules] == [
        "{actor1} meet with {actor2}",
        "{actor1} meet {actor2}",
    ]


# -- the command ---------------------------------------------------------------


def test_cli_prints_the_report_and_the_summary(tmp_path):
    out = tmp_path / "p.yaml"
    code, stdout, stderr = run("codebook", "import-petrarch", D, "-o", str(out))
    assert code == 0
    assert stdout.splitlines()[0] == f"{D}/Test.actors.txt:4: converted: IRQ: Iraq (3 aliases)"
    assert f"{D}/Test.verbs.txt:32: skipped: [194] pattern uses a synset not defined (&MISSILE)" in stdout.splitlines()
    assert (
        "verbs: 14 rules converted; skipped: 8; duplicate patterns: 1; not imported: 3 patterns of other codes, 0 of "
        "the null code [---]"
        in stderr
    )
    load_codebook(out)


def test_cli_quiet_prints_only_what_was_not_converted(tmp_path):
    code, stdout, _ = run("codebook", "import-petrarch", D, "-o", str(tmp_path / "p.yaml"), "-q")
    assert code == 0
    assert stdout.splitlines() and all(": skipped: " in line for line in stdout.splitlines())


def test_cli_errors_are_one_line_and_leave_the_output_alone(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("old\n")
    code, _, stderr = run("codebook", "import-petrarch", D, "-o", str(out), "--verbs", "missing.verbs.txt")
    assert (code, stderr) == (1, f"error: {D}/missing.verbs.txt: no such dictionary file\n")
    assert out.read_text() == "old\n"
    code, _, stderr = run("codebook", "import-petrarch", D, "-o", str(out), "--date", "2010-13-01")
    assert (code, stderr) == (2, "error: --date: not a date: '2010-13-01' (expected YYYY-MM-DD)\n")
    code, _, stderr = run("codebook", "import-petrarch", D, "-o", str(tmp_path / "no" / "p.yaml"))
    assert (code, stderr) == (1, f"error: {tmp_path}/no/p.yaml: cannot write: No such file or directory\n")
    assert sorted(os.listdir(tmp_path)) == ["p.yaml"]
