"""Authorization cases for the push API. Signed-in users push only to sources they manage (HR admins and
system admins: all); HR BPs and executives see the source but may not write to it (403); anyone else is
answered as if it did not exist (400 unknown source). A batch's status is read by the roles that read
ingestion (HR admin, HR BP, executive, system admin); others get 404."""

from __future__ import annotations

import itertools
from typing import Any

from tests.authz.matrix import Case
from tests.world import World

_KEYS = itertools.count()


def _mes(world: World) -> Any:
    from fairmark.ingestion.models import Source

    found = Source.objects.filter(code="mes").first()
    if found is None:
        from tests.ingestion.support import build_mes

        found = build_mes(world).source
    return found


def _batch_url(world: World) -> str:
    from fairmark.core.access import SYSTEM
    from fairmark.ingestion.models import Channel
    from fairmark.ingestion.services.receiving import content_hash, pack_payload, receive_batch
    from tests.ingestion.support import row

    rows = [row(1)]
    outcome = receive_batch(actor=SYSTEM, source=_mes(world), idempotency_key=f"authz-{next(_KEYS)}", rows=rows,
                            payload=pack_payload(rows), content_hash=content_hash(b"x"), channel=Channel.API)
    return f"/api/v1/ingest/batches/{outcome.batch.pk}"


def _push_body(world: World) -> dict[str, Any]:
    from tests.ingestion.support import row

    _mes(world)
    return {"idempotency_key": f"authz-push-{next(_KEYS)}", "source": "mes", "rows": [row(1)]}


CASES = [
    Case("ingest batch push", "api:ingest-batches", lambda w: "/api/v1/ingest/batches", method="POST", api=True,
         data=_push_body, writes=True,
         expect={"hr": 201, "admin": 201, "hrbp": 403, "exec": 403}, default=400),
    Case("ingest batch status", "api:ingest-batch", _batch_url, api=True,
         expect={"hr": 200, "hrbp": 200, "exec": 200, "admin": 200}),
]
