"""An ACLED sub-event type that does not belong to its event type."""

from coder.reference import acled_sub_event_types

ID = "acled-type"
LEVEL = "error"
DESCRIPTION = "an ACLED sub-event type does not belong to its ACLED event type, or a variant sets one without the other"


def check(ctx):
    subtypes = acled_sub_event_types()

    def bad(et_name, sub, where):
        if et_name and sub and sub not in subtypes.get(et_name, ()):
            return ctx.problem(ID, f"'{sub}' is not a sub-event type of '{et_name}'", where)
        return None

    for name, et in ctx.cb.event_types.items():
        base = ("event_types", name)
        p = bad(et.acled_event_type, et.acled_sub_event_type, base + ("acled_sub_event_type",))
        if p:
            yield p
        for i, v in enumerate(et.variants):
            vb = base + ("variants", i)
            if v.acled_event_type and not v.acled_sub_event_type:
                yield ctx.problem(ID, "a variant that sets acled_event_type must set acled_sub_event_type too", vb)
            p = bad(v.acled_event_type or et.acled_event_type, v.acled_sub_event_type, vb + ("acled_sub_event_type",))
            if p:
                yield p
