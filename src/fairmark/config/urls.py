from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import api_urls

urlpatterns = [
    path("", include("fairmark.analytics.urls")),
    path("accounts/", include("fairmark.accounts.urls")),
    path("org/", include("fairmark.org.urls")),
    path("indicators/", include("fairmark.indicators.urls")),
    path("data/", include("fairmark.ingestion.urls")),
    path("goals/", include("fairmark.goals.urls")),
    path("reviews/", include("fairmark.reviews.urls")),
    path("audit/", include("fairmark.audit.urls")),
    path("notifications/", include("fairmark.notifications.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include((api_urls.urlpatterns, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
