from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationCentreView.as_view(), name="centre"),
    path("mark-read/", views.MarkReadView.as_view(), name="mark_read"),
    path("outbox/", views.OutboxListView.as_view(), name="outbox"),
    path("outbox/<int:pk>/retry/", views.OutboxRetryView.as_view(), name="outbox_retry"),
]
