"""The goal tree's pages: the map, my goals, team goals, a goal's page and its forms."""

from __future__ import annotations

from django.urls import URLPattern

from . import goal_detail, goal_forms, goal_lists, tree_pages

urlpatterns: list[URLPattern] = [
    *tree_pages.urlpatterns,
    *goal_lists.urlpatterns,
    *goal_forms.urlpatterns,
    *goal_detail.urlpatterns,
]
