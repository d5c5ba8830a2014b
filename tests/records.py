"""A valid record with every field set, for the schema, writer and check tests."""

from coder.events.record import Record


def sample_record(**changes) -> Record:
    record = Record(
        event_id="0123456789abcdef", doc_id="doc-1", sentence_index=2,
        event_date="2024-03-05", time_precision=1, event_type="offensive",
        actor1="Rebels", actor1_code="REB", actor2="Army", actor2_code="SYRMIL",
        location="Aleppo", admin1="Aleppo", country="Syria", iso3="SYR",
        latitude=36.2, longitude=37.16, geo_precision=1, cameo_code="190",
        goldstein=-10.0, quad_class=4, acled_event_type="Battles",
        acled_sub_event_type="Armed clash", rule_id="offensive.attack:1",
        matched_text="attacked", sentence="Rebels attacked the army in Aleppo.",
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record
