"""A mail backend for the worker tests: a transactional receiver.

It records each mail as a row in the database, on the relay's own connection and inside the
relay's transaction, so a mail counts as delivered exactly when the outbox commits it as sent.
With the pause file present it stops right after recording, in the middle of the delivery,
and writes its process id beside the pause file, so that a test can kill it there.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

TABLE = "kokeilu_test_mail_sink"
CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id serial PRIMARY KEY,
    message_id text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    pid integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
)
"""


class TransactionalSinkBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        with connection.cursor() as cursor:
            for email in email_messages:
                cursor.execute(
                    f"INSERT INTO {TABLE} (message_id, recipient, subject, pid) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s)",
                    [email.extra_headers["Message-ID"], email.to[0], email.subject, os.getpid()],
                )
        pause = os.environ.get("KOKEILU_SINK_PAUSE_FILE", "")
        if pause and Path(pause).exists():
            Path(f"{pause}.sending").write_text(str(os.getpid()))
            time.sleep(120)  # the test kills the process during this sleep
        return len(email_messages)
