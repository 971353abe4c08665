"""What the ingestion services share: the code rule and the small checks that raise a field's ServiceError."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from fairmark.core.access import Role, viewer_for
from fairmark.core.errors import OutOfScope

CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def may_configure(actor: Any) -> None:
    if not viewer_for(actor).has(Role.HR_ADMIN, Role.SYSADMIN):
        raise OutOfScope(_("Not found."))
