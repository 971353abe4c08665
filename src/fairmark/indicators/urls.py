"""Pages of the indicator library and the templates. Each page module lists its own routes."""

from .views import exchange, indicator_pages, template_pages

app_name = "indicators"
urlpatterns = [*indicator_pages.urlpatterns, *template_pages.urlpatterns, *exchange.urlpatterns]
