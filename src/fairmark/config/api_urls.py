"""Every API endpoint under /api/v1/. Each app's api.py holds its viewsets; they are registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from fairmark.accounts import api as accounts_api
from fairmark.audit import api as audit_api
from fairmark.core import api_views as core_api
from fairmark.goals import api as goals_api
from fairmark.indicators import api as indicators_api
from fairmark.ingestion import api as ingestion_api
from fairmark.ingestion import api_reads as ingestion_reads
from fairmark.notifications import api as notifications_api
from fairmark.org import api as org_api
from fairmark.reviews import api as reviews_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("employees", org_api.EmployeeViewSet, basename="employee")
router.register("departments", org_api.DepartmentViewSet, basename="department")
router.register("delegations", org_api.DelegationViewSet, basename="delegation")
router.register("tokens", accounts_api.ApiTokenViewSet, basename="token")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("audit/events", audit_api.AuditEventViewSet, basename="audit-event")
indicators_api.register(router)
ingestion_reads.register(router)
goals_api.register(router)
reviews_api.register(router)

urlpatterns = [
    path("health", core_api.HealthView.as_view(), name="health"),
    path("me", accounts_api.MeView.as_view(), name="me"),
    path("imports/<str:kind>", org_api.ImportApiView.as_view(), name="import"),
    *indicators_api.urlpatterns,
    *ingestion_api.urlpatterns,
    *goals_api.urlpatterns,
    *reviews_api.urlpatterns,
    *router.urls,
]
