"""Test settings: only speed-ups and isolation on top of base."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="kokeilu-test-media-")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"].pop("init_command", None)

# WhiteNoise expects the collected static root to exist; tests never collect.
STATIC_ROOT = tempfile.mkdtemp(prefix="kokeilu-test-static-")
# No LibreOffice runs unless a test asks for it (tests/contracts/test_pdf.py).
KOKEILU_CONTRACT_PDF = False
