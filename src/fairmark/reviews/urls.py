"""Review pages under /reviews/, one module per part (views/): cycles for HR (setup, launch, progress, rater
import), the manager's team view, a person's reviews and to-dos, the review page, the review and rating forms,
and the explanation."""

from .views import (
    cycle_pages,
    explain_pages,
    form_pages,
    import_pages,
    mine_pages,
    rate_pages,
    review_pages,
    team_pages,
)

app_name = "reviews"

urlpatterns = [
    *mine_pages.urlpatterns,
    *cycle_pages.urlpatterns,
    *import_pages.urlpatterns,
    *team_pages.urlpatterns,
    *review_pages.urlpatterns,
    *form_pages.urlpatterns,
    *rate_pages.urlpatterns,
    *explain_pages.urlpatterns,
]
