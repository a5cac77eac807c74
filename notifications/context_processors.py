from functools import cache

from .selectors import unread_count


def notifications(request):
    """The bell's unread count, counted once, and only on pages that show it (templates call
    the function when they read the variable)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: unread_count(user))}
