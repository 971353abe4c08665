from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Heartbeat

WORKER_STALE_AFTER = timedelta(minutes=2)


class HealthView(APIView):
    """Liveness for load balancers and monitoring: database, migrations, worker."""

    scope_exempt = "reports only the health of the service"
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.CharField(),
                "database": serializers.CharField(),
                "migrations": serializers.CharField(),
                "worker": serializers.CharField(),
                "worker_last_seen": serializers.DateTimeField(allow_null=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        body: dict[str, object] = {}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            body["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - health reports any database failure
            body.update(status="error", database=f"error: {type(error).__name__}", migrations="unknown",
                        worker="unknown", worker_last_seen=None)
            return Response(body, status=503)
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        body["migrations"] = "ok" if not pending else f"pending: {len(pending)}"
        beat = Heartbeat.objects.filter(name="worker").first()
        body["worker_last_seen"] = beat.at.isoformat() if beat else None
        body["worker"] = "ok" if beat and timezone.now() - beat.at < WORKER_STALE_AFTER else "stale"
        healthy = body["migrations"] == "ok"
        body["status"] = "ok" if healthy and body["worker"] == "ok" else ("degraded" if healthy else "error")
        return Response({"status": body.pop("status"), **body}, status=200 if healthy else 503)
