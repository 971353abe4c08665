"""The shape every HR form page about one org object shares (edit or transfer an employee, edit or move
a department): 404 when the viewer cannot see the object, 403 when they see it but may not change it
(like the API), the service's scope refusal shown as 404 after its rollback, and its other refusals on
the form with status 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView

from ..forms import BootstrapForm, add_service_errors


def render_form(view: Any, form: BootstrapForm, status: int = 200) -> HttpResponse:
    response: HttpResponse = view.render_to_response(view.get_context_data(form=form))
    response.status_code = status
    return response


class ObjectFormView(ScopedDetailView):
    """Subclasses name `selector` (who may see), `editable_selector` (who may change), `form_class`,
    `form_object_kwarg` (how the form receives the object), and implement `save` and `success_url`."""

    editable_selector: ClassVar[Callable[[Any], QuerySet[Any]]]
    form_class: type[BootstrapForm]
    form_object_kwarg: ClassVar[str]

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        obj: Model = super().get_object(queryset)
        if not type(self).editable_selector(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return render_form(self, self._form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = self._form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                # The service may have set attributes before refusing; the page shows what is stored.
                self.object.refresh_from_db()
                add_service_errors(form, error)
            else:
                return redirect(self.success_url())
        return render_form(self, form, status=400)

    def save(self, form: Any) -> None:
        raise NotImplementedError

    def success_url(self) -> str:
        raise NotImplementedError

    def _form(self, data: Any = None) -> BootstrapForm:
        return self.form_class(data, user=self.request.user, **{self.form_object_kwarg: self.object})
