"""Pages of ingestion: sources, data quality, uploads, quarantine, conflicts and provenance. Each page module
lists its own routes."""

from .views import (
    batch_pages,
    conflict_pages,
    correction_page,
    metric_pages,
    quarantine_pages,
    source_pages,
    source_settings,
    subject_pages,
    upload_pages,
    value_pages,
)

app_name = "ingestion"
urlpatterns = [
    *source_settings.urlpatterns,  # before source_pages: "sources/<code>/settings/" etc.
    *source_pages.urlpatterns,
    *batch_pages.urlpatterns,
    *value_pages.urlpatterns,
    *quarantine_pages.urlpatterns,
    *correction_page.urlpatterns,
    *conflict_pages.urlpatterns,
    *upload_pages.urlpatterns,
    *metric_pages.urlpatterns,
    *subject_pages.urlpatterns,
]
