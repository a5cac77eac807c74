"""Run schemathesis against the API's OpenAPI schema on a live server on 127.0.0.1.

`make test-api` runs it on a freshly migrated and seeded SQLite file. The server runs in this
process (Django's threaded development server on a free port); schemathesis authenticates with
the API token of a demo user and checks that no answer is a server error and that every
answer conforms to the schema (status code, content type, headers, body), that the API
rejects requests without credentials and answers 405 to undocumented methods.
"""

import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import (
    ThreadedWSGIServer,
    WSGIRequestHandler,
    get_internal_wsgi_application,
)
from rest_framework.authtoken.models import Token

# Not run: schema-valid input is rejected by the business rules (a task that is not the
# user's, a company that does not exist), and lenient parsing of query parameters accepts
# some schema-violating values (e.g. `page_size=null` falls back to the default).
EXCLUDED_CHECKS = "negative_data_rejection,positive_data_acceptance"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class Command(BaseCommand):
    help = "Fuzz the REST API with schemathesis against a live server on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="agent", help="whose API token is used")
        parser.add_argument("--max-examples", type=int, default=10)
        parser.add_argument(
            "--timeout", type=int, default=240, help="seconds before schemathesis is stopped"
        )
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, user, max_examples, timeout, seed, workers, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"No active user {user!r}: run `manage.py seed_demo` first.")
        token, _created = Token.objects.get_or_create(user=account)

        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
        server.set_app(get_internal_wsgi_application())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        command = [
            shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis",
            "run",
            f"{base}/api/schema/",
            "--header",
            f"Authorization: Token {token.key}",
            "--checks",
            "all",
            "--exclude-checks",
            EXCLUDED_CHECKS,
            "--max-examples",
            str(max_examples),
            "--generation-database",
            "none",
            "--no-color",
            "--request-timeout",
            "20",
            "--workers",
            str(workers),
        ]
        if seed is not None:
            command += ["--seed", str(seed)]
        self.stdout.write(f"schemathesis as {user} against {base}/api/schema/")
        try:
            # In a scratch directory: schemathesis and Hypothesis leave their caches there.
            with tempfile.TemporaryDirectory(prefix="kokeilu-schemathesis-") as scratch:
                result = subprocess.run(  # noqa: S603
                    command, timeout=timeout, check=False, cwd=scratch
                )
        except subprocess.TimeoutExpired as error:
            raise CommandError(f"schemathesis did not finish in {timeout} s") from error
        finally:
            server.shutdown()
            server.server_close()
        if result.returncode != 0:
            raise CommandError(f"schemathesis found problems (exit code {result.returncode})")
