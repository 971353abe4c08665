"""Goal pages under /goals/, one module per part (views/): the tree and goal pages, the agreement and its
changes, goal sets and bulk assignment, check-ins and blockers, alerts."""

from .views import agreement_pages, alert_pages, checkin_pages, goal_pages, goal_set_pages

app_name = "goals"

urlpatterns = [
    *goal_pages.urlpatterns,
    *agreement_pages.urlpatterns,
    *goal_set_pages.urlpatterns,
    *checkin_pages.urlpatterns,
    *alert_pages.urlpatterns,
]
