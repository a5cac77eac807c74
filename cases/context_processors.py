from .roles import ROLE_LABELS
from .selectors import user_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_role": ""}
    role = user_role(user)
    return {"user_role": role, "user_role_label": ROLE_LABELS.get(role, "")}
