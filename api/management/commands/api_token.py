"""Issue (or show, or replace) the API token of a user, for an integration."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Print the API token of a user, creating it if needed. Send it as "
        "'Authorization: Token <key>'. --rotate replaces it; --revoke deletes it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="replace the existing token")
        group.add_argument("--revoke", action="store_true", help="delete the token")

    def handle(self, *args, username, rotate=False, revoke=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is not active.")
        if revoke or rotate:
            Token.objects.filter(user=user).delete()
        if revoke:
            self.stderr.write(f"The token of {username} was revoked.")
            return
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
