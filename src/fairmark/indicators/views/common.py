"""What the reading pages and the editors of indicators and templates share. It lives here, not in the
reading modules, because those list every route and so import the editors: an editor importing back from
them would be an import cycle."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView

from ..models import Indicator, Template
from ..scoring import normalise_language
from ..selectors import indicators_editable_by, templates_editable_by, templates_visible_to


def language() -> str:
    return normalise_language(get_language() or "zh-hans")


def sample_metric(metric: dict[str, Any], value: str) -> dict[str, str]:
    english = language() == "en"
    name = (metric.get("name_en") if english else "") or metric.get("name_zh") or ""
    return {"code": str(metric.get("code", "")), "name": str(name), "unit": str(metric.get("unit") or ""),
            "value": value}


def indicator_editable(user: Any, indicator: Indicator) -> bool:
    return indicators_editable_by(user).filter(pk=indicator.pk).exists()


def template_editable(user: Any, template: Template) -> bool:
    return templates_editable_by(user).filter(pk=template.pk).exists()


class TemplateObject(ScopedDetailView):
    """A page about one template, found by its code among those the viewer may see."""

    selector = templates_visible_to
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "template"

    def editable(self) -> bool:
        return template_editable(self.request.user, self.object)


class ActionView(ScopedDetailView):
    """A button on an indicator's or a template's page: the service acts, then back to that page (`page`, the
    URL name) with what happened."""

    http_method_names = ["post"]
    page = ""

    def act(self, obj: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = obj = self.get_object()
        try:
            message = self.act(obj)
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect(self.page, code=obj.code)
