"""Objects of the insight rows: the reference of pilot_a_edu (granted in its scaling decision)."""

from cases.models import Reference


def build(world) -> dict:
    return {"reference_a_edu": Reference.objects.get(pilot=world.pilot_a_edu)}
