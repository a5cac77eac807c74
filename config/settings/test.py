"""Test settings: only speed-ups and isolation on top of base."""

import tempfile

from .base import *  # noqa: F403
from .base import AUTHENTICATION_BACKENDS, DATABASES

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

# Login protection is tested on its own (tests/security/test_login.py, with its backend put
# back); the test client's login() calls authenticate() without a request, which axes refuses.
AXES_ENABLED = False
AUTHENTICATION_BACKENDS = [
    backend for backend in AUTHENTICATION_BACKENDS if not backend.startswith("axes.")
]
