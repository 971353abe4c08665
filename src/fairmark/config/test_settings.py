"""Settings for the test suite: the same as production, with fast password hashing and tasks run
in-process. DATABASE_URL picks SQLite (default) or PostgreSQL."""

import os
import tempfile

os.environ.setdefault("FAIRMARK_VAR_DIR", os.path.join(tempfile.gettempdir(), "fairmark-test-var"))

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested on its own
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
AXES_ENABLED = True
# Tests start from an empty database; those that need the shipped library take the `library` fixture.
FAIRMARK_INSTALL_LIBRARY_ON_MIGRATE = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and "NAME" in DATABASES["default"]:
    DATABASES["default"]["TEST"] = {"NAME": None}  # in-memory for each xdist worker
