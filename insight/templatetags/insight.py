from django import template

from .. import references
from ..forms import RevokeReferenceForm

register = template.Library()


@register.inclusion_tag("insight/partials/pilot_reference.html", takes_context=True)
def pilot_reference(context, pilot):
    """The pilot's reference on the pilot page: state, certificate, revocation for agents."""
    user = context["request"].user
    stamp = references.reference_of(user, pilot)
    return {
        "stamp": stamp,
        "verify_url": references.verify_url(stamp) if stamp else "",
        "can_revoke": stamp is not None and references.can_revoke(user, stamp),
        "revoke_form": RevokeReferenceForm(),
        "csrf_token": context.get("csrf_token"),
    }
