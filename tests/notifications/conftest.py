"""The notifications' Finnish and Swedish catalogs are compiled before any test reads them
(`make test` compiles them too; this lets a bare `pytest` run find them)."""

import os
import subprocess
import tempfile
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "notifications" / "locale"


def _compile_catalogs() -> None:
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        # Compile to a temporary file and rename it: parallel test workers may do this at once.
        handle, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        os.close(handle)
        subprocess.run(["msgfmt", "-o", tmp, str(po)], check=True)  # noqa: S603, S607
        os.replace(tmp, mo)


_compile_catalogs()
