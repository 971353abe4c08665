"""The push API (DESIGN.md C3, ADR 0006): `POST /api/v1/ingest/batches` and a batch's status.

The body is read and decoded by `ingestion.rows` (msgspec), not by DRF parsers and serializers: 50,000 rows
through serializers cost seconds. DRF still authenticates, checks the token scope and turns refusals into
problem+json; row errors are listed in the answer, not raised."""

from __future__ import annotations

import gzip
from typing import Any

import msgspec
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from fairmark.accounts.models import ApiToken, TokenScope
from fairmark.core.errors import ServiceError

from .models import Batch, Channel, Source
from .rows import decode_batch
from .rows.decode import MAX_BODY_BYTES, DecodeError
from .rows.decode import Batch as DecodedBatch
from .rows.messages import EN, ZH
from .selectors import batches_visible_to, source_of_token, sources_managed_by, sources_visible_to
from .services.outcome import stored_outcome
from .services.receiving import content_hash, receive_batch

_ENCODER = msgspec.json.Encoder(enc_hook=str, decimal_format="string")


class TooLarge(ServiceError):
    status_code = 413
    code = "too_large"


def _json(data: Any, status: int) -> HttpResponse:
    return HttpResponse(_ENCODER.encode(data), status=status, content_type="application/json")


class _IngestScope:
    """A token needs `ingest` to push; reading a batch's status takes `ingest` or `read`."""

    request: Any

    @property
    def required_token_scope(self) -> str:
        token = self.request.auth
        if self.request.method == "GET" and isinstance(token, ApiToken) and TokenScope.INGEST not in token.scopes:
            return TokenScope.READ
        return TokenScope.INGEST


def _bound_source(request: Request) -> Source | None:
    token = request.auth
    return source_of_token(token) if isinstance(token, ApiToken) else None


class BatchesView(_IngestScope, APIView):
    scope_exempt = "the source is checked against the caller's key or managed sources before anything is read"

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("Content-Encoding", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                     description="gzip when the body is compressed")],
        description="Push up to 50,000 metric values. See docs/ingestion.md for the body and the answer.",
    )
    def post(self, request: Request) -> HttpResponse:
        django_request = request._request
        declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
        if declared > MAX_BODY_BYTES:
            raise TooLarge(_("The request body is larger than %(max)s bytes.") % {"max": MAX_BODY_BYTES})
        # Read the stream ourselves: Django's request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
        body = django_request.read(MAX_BODY_BYTES + 1)
        compressed = (django_request.headers.get("Content-Encoding") or "").strip().lower() == "gzip"
        decoded = decode_batch(body, gzip=compressed)
        language = ZH if (request.LANGUAGE_CODE or "").startswith("zh") else EN
        if isinstance(decoded, DecodeError):
            raise (TooLarge if decoded.code == "too_large" else ServiceError)(decoded.message(language), code=decoded.code)
        return self._receive(request, decoded, body, compressed)

    def _receive(self, request: Request, decoded: DecodedBatch, body: bytes, compressed: bool) -> HttpResponse:
        source = self._source(request, decoded.source)
        payload = body if compressed else gzip.compress(body, compresslevel=1)
        outcome = receive_batch(
            actor=request.user, source=source, idempotency_key=decoded.idempotency_key, rows=decoded.rows,
            payload=payload, content_hash=content_hash(_ENCODER.encode(decoded.rows)), channel=Channel.API,
            token=request.auth if isinstance(request.auth, ApiToken) else None)
        return _json(outcome.as_json(), 200 if outcome.repeated else 201)

    def _source(self, request: Request, code: str) -> Source:
        bound = _bound_source(request)
        if bound is not None:
            if code and code != bound.code:
                raise PermissionDenied(_("This key may only send data for the source “%(source)s”.")
                                       % {"source": bound.code})
            return bound
        if not code:
            raise ServiceError(_("Name the source: this key is not bound to one."), code="source_required",
                               fields={"source": [_("This field is required.")]})
        found = sources_managed_by(request.user).filter(code=code).first()
        if found is not None:
            return found
        if sources_visible_to(request.user).filter(code=code).exists():
            raise PermissionDenied(_("You may not send data for the source “%(source)s”.") % {"source": code})
        # a source the caller cannot see is answered like one that does not exist
        raise ServiceError(_("There is no source “%(source)s”.") % {"source": code}, code="unknown_source",
                           fields={"source": [code]})


class BatchView(_IngestScope, APIView):
    scope_exempt = "reads through batches_visible_to or the key's own source"

    def _batches(self, request: Request) -> QuerySet[Batch]:
        bound = _bound_source(request)
        if bound is not None:
            return Batch.objects.select_related("source").filter(source=bound)
        return batches_visible_to(request.user)

    @extend_schema(responses={200: OpenApiTypes.OBJECT},
                   description="A batch's counts and its accepted, unchanged, conflicting, rejected and flagged rows.")
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = get_object_or_404(self._batches(request), pk=pk)
        data = stored_outcome(batch).as_json()
        data.pop("repeated")
        data["channel"] = batch.channel
        return _json(data, 200)


urlpatterns = [
    path("ingest/batches", BatchesView.as_view(), name="ingest-batches"),
    path("ingest/batches/<int:pk>", BatchView.as_view(), name="ingest-batch"),
]
