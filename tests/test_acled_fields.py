"""ACLED-complete records: associated actors and civilian targeting in coded
records (docs/coding.md).  Every sentence here was written for this test."""

from __future__ import annotations

from coder.pipeline import code_document
from coder.text.document import Document


def code(compiled, text, date="2024-05-10"):
    records, _ = code_document(compiled, Document("d", text, date, ""))
    return records


def sides(records):
    return [(r.event_type, r.actor1, r.assoc_actor_1, r.actor2, r.assoc_actor_2) for r in records]


def test_coordinated_actors_are_actor1_and_its_associates(compiled):
    records = code(compiled, "Iraqi and Kurdish forces attacked Islamic State in Mosul on Friday.")
    assert sides(records) == [("offensive", "Iraqi forces", "Kurdish forces", "Islamic State", "")]


def test_backed_by_and_alongside_name_associates(compiled):
    records = code(compiled, "Congolese troops, backed by Wazalendo militias, attacked M23 rebels in Rutshuru.")
    assert sides(records) == [("offensive", "Congolese forces", "Wazalendo", "M23", "")]
    records = code(compiled, "The Malian army, alongside Wagner fighters, recaptured Kidal from rebels.")
    assert sides(records) == [("capture", "Malian forces", "Wagner Group", "rebels", "")]


def test_the_other_side_is_no_associate(compiled):
    records = code(compiled, "Iraqi forces clashed with Islamic State fighters in Mosul on Friday.")
    assert sides(records) == [("offensive", "Iraqi forces", "", "Islamic State", "")]


def test_an_air_strike_that_killed_civilians_targeted_them(compiled):
    [r] = code(compiled, "Government warplanes bombed Saraqib on Monday, killing seven civilians.")
    assert (r.acled_event_type, r.civilian_targeting, r.fatalities) == (
        "Explosions/Remote violence", "Civilian targeting", 7)


def test_an_air_strike_on_fighters_and_a_battle_do_not(compiled):
    [r] = code(compiled, "Government warplanes bombed Saraqib on Monday, killing seven militants.")
    assert (r.acled_event_type, r.civilian_targeting, r.fatalities) == ("Explosions/Remote violence", "", 7)
    [r] = code(compiled, "Iraqi forces clashed with Islamic State in Mosul, killing four civilians.")
    assert (r.acled_event_type, r.civilian_targeting, r.fatalities) == ("Battles", "", 4)


# -- admin2 / admin3: the town's district, from the gazetteer ------------------

def places(records):
    return [(r.location, r.admin1, r.admin2, r.admin3, r.iso3) for r in records]


def test_a_listed_town_takes_its_district_from_the_gazetteer(compiled):
    # Ramadi is a codebook place with no admin2: the gazetteer's Ramadi (Iraq, same point) gives it
    records = code(compiled, "Iraqi forces attacked Islamic State fighters in Ramadi on Friday.")
    assert places(records) == [("Ramadi", "Anbar", "Ramadi District", "", "IRQ")]


def test_a_town_only_the_gazetteer_knows_has_its_district(compiled):
    records = code(compiled, "Boko Haram fighters attacked an army base in Bama on Sunday.")
    assert places(records) == [("Bama", "Borno", "Bama", "", "NGA")]


def test_a_region_or_a_town_with_no_district_has_none(compiled):
    # GeoNames gives Syria's towns no second-level unit; a region has none either
    records = code(compiled, "Syrian troops clashed with rebels in Saraqib on Monday.")
    assert [p[2:4] for p in places(records)] == [("", "")]
    records = code(compiled, "Nigerian troops clashed with Boko Haram fighters in Borno state on Monday.")
    assert [p[1:4] for p in places(records)] == [("Borno", "", "")]


def test_the_acled_row_carries_admin2(compiled):
    from coder.io.formats import ActorTable, acled_row

    [r] = code(compiled, "Iraqi forces attacked Islamic State fighters in Ramadi on Friday.")
    row = acled_row(r, ActorTable())
    assert (row["admin1"], row["admin2"], "admin3" in row) == ("Anbar", "Ramadi District", False)  # empty: absent
