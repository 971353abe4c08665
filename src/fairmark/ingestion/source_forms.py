"""The source settings form: what every source has (name, owner, metrics, freshness), the connection of a SQL
or REST source, its column mapping, and its secrets (a password or an auth header), which are write-only: left
blank, the stored ones are kept."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fairmark.org.forms import BootstrapForm
from fairmark.org.models import Department

from .connectors import check_query
from .connectors.rest import PAGINGS, RestSettings
from .mapping import FieldMapping
from .models import Metric, Source, SourceKind

EXAMPLE_MAPPING = {"subject": "line_code", "period": "work_date", "row_key": "id",
                   "constants": {"subject_type": "line"}, "values": {"output": "output"}}
SQL_FIELDS = ("dialect", "host", "port", "database", "username", "query", "watermark_column", "timeout_seconds",
              "max_rows")
REST_FIELDS = ("url", "records_path", "paging", "page_param", "size_param", "page_size", "next_path",
               "watermark_param", "watermark_field")


def _language() -> str:
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


class SourceForm(BootstrapForm):
    code = forms.SlugField(label=_("Code"), max_length=64, help_text=_("Lower-case letters, digits and _."))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    owner_department = forms.ModelChoiceField(label=_("Owning unit"), queryset=Department.objects.all(),
                                              required=False, empty_label=_("Company-wide"))
    metrics = forms.ModelMultipleChoiceField(label=_("Metrics it may send"), queryset=Metric.objects.filter(active=True),
                                             required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    fresh_hours = forms.IntegerField(label=_("Expected at least every (hours)"), min_value=1, max_value=24 * 62,
                                     initial=26)
    interval_minutes = forms.IntegerField(label=_("Pull every (minutes)"), min_value=5, required=False,
                                          help_text=_("Empty: only by hand."))
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, required=False,
                                help_text=_("For timestamps without an offset. Empty: the company's."))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    # SQL
    dialect = forms.ChoiceField(label=_("Database"), required=False, choices=[
        ("postgresql", "PostgreSQL"), ("mysql", "MySQL / MariaDB"), ("sqlite", _("SQLite file on this server"))])
    host = forms.CharField(label=_("Host"), max_length=200, required=False)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, required=False)
    database = forms.CharField(label=_("Database name"), max_length=200, required=False)
    username = forms.CharField(label=_("User"), max_length=100, required=False)
    password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput(render_value=False),
                               help_text=_("Stored encrypted and never shown. Leave empty to keep the stored one."))
    query = forms.CharField(label=_("Query"), required=False, widget=forms.Textarea(attrs={"rows": 5,
                            "class": "font-monospace"}), help_text=_("One SELECT; it runs read-only."))
    watermark_column = forms.CharField(label=_("Watermark column"), max_length=100, required=False,
                                       help_text=_("A column that grows with every new or changed row, e.g. updated_at."))
    timeout_seconds = forms.IntegerField(label=_("Time limit (seconds)"), min_value=1, max_value=600, initial=30,
                                         required=False)
    max_rows = forms.IntegerField(label=_("Rows per pull at most"), min_value=1, max_value=1_000_000, initial=100_000,
                                  required=False)
    # REST
    url = forms.URLField(label=_("Address"), required=False, assume_scheme="https")
    records_path = forms.CharField(label=_("Path to the records"), required=False, help_text=_("e.g. data.items"))
    paging = forms.ChoiceField(label=_("Paging"), required=False, choices=[
        ("none", _("None")), ("page", _("Page number")), ("offset", _("Offset")), ("next_link", _("Next link"))])
    page_param = forms.CharField(label=_("Page parameter"), required=False, initial="page")
    size_param = forms.CharField(label=_("Page size parameter"), required=False, initial="page_size")
    page_size = forms.IntegerField(label=_("Page size"), min_value=1, max_value=10_000, initial=500, required=False)
    next_path = forms.CharField(label=_("Path to the next link"), required=False, initial="links.next")
    fields_json = forms.CharField(label=_("Fields (JSON: column → path)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}))
    watermark_param = forms.CharField(label=_("Watermark parameter"), required=False)
    watermark_field = forms.CharField(label=_("Watermark field"), required=False)
    auth_header = forms.CharField(label=_("Auth header name"), required=False, initial="Authorization")
    auth_value = forms.CharField(label=_("Auth header value"), required=False,
                                 widget=forms.PasswordInput(render_value=False),
                                 help_text=_("Stored encrypted and never shown. Leave empty to keep the stored one."))
    mapping_json = forms.CharField(label=_("Column mapping (JSON)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
                                   help_text=_("Which column holds the subject, the period and each metric's value; "
                                               "see docs/ingestion.md."))

    def __init__(self, *args: Any, source: Source | None = None, **kwargs: Any) -> None:
        self.source = source
        if source is not None:
            kwargs.setdefault("initial", initial_for(source))
        super().__init__(*args, **kwargs)
        if source is not None:
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True

    def _json(self, name: str) -> Any:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            self.add_error(name, _("Not valid JSON: %(error)s") % {"error": error.msg})
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind") or (self.source.kind if self.source else "")
        mapping = self._json("mapping_json")
        if kind in (SourceKind.SQL, SourceKind.REST):
            if mapping is None and not self.errors.get("mapping_json"):
                self.add_error("mapping_json", _("A pulled source needs a column mapping."))
            elif mapping is not None:
                found = FieldMapping.from_dict(mapping)
                for problem in found if isinstance(found, list) else []:
                    self.add_error("mapping_json", problem.message(_language()))
        data["mapping"] = mapping or {}
        if kind == SourceKind.SQL:
            self._clean_sql(data)
        if kind == SourceKind.REST:
            self._clean_rest(data)
        return data

    def _clean_sql(self, data: dict[str, Any]) -> None:
        if not data.get("database"):
            self.add_error("database", _("This field is required."))
        if data.get("dialect") != "sqlite" and not data.get("host"):
            self.add_error("host", _("This field is required."))
        for problem in check_query(data.get("query") or "", dialect=data.get("dialect") or None):
            self.add_error("query", problem.message(_language()))

    def _clean_rest(self, data: dict[str, Any]) -> None:
        fields = self._json("fields_json")
        if fields is not None and not (isinstance(fields, dict) and all(isinstance(v, str) for v in fields.values())):
            self.add_error("fields_json", _("Give an object of column name → path."))
            fields = None
        data["fields"] = fields or {}
        settings = RestSettings(url=data.get("url") or "", records_path=data.get("records_path") or "",
                                paging=data.get("paging") or "none", fields=data["fields"])  # type: ignore[arg-type]
        for problem in settings.check():
            self.add_error("url" if problem.code == "bad_url" else None, problem.message(_language()))
        if data.get("paging") and data["paging"] not in PAGINGS:
            self.add_error("paging", _("Unknown paging."))

    def settings_value(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data.get("kind") or (self.source.kind if self.source else "")
        if kind == SourceKind.SQL:
            values = {name: data.get(name) for name in SQL_FIELDS if data.get(name) not in (None, "")}
            return {**values, "port": data.get("port") or {"postgresql": 5432, "mysql": 3306}.get(data["dialect"], 0)}
        if kind == SourceKind.REST:
            values = {name: data.get(name) for name in REST_FIELDS if data.get(name) not in (None, "")}
            return {**values, "fields": data.get("fields") or {}}
        return {}

    def secrets_value(self) -> dict[str, Any] | None:
        """The secrets to store, or None to keep the stored ones (nothing typed)."""
        data = self.cleaned_data
        if data.get("password"):
            return {"password": data["password"]}
        if data.get("auth_value"):
            return {"headers": {data.get("auth_header") or "Authorization": data["auth_value"]}}
        return None


def initial_for(source: Source) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": source.code, "name": source.name, "kind": source.kind, "owner_department": source.owner_department,
        "metrics": list(source.metrics.all()), "fresh_hours": source.fresh_hours,
        "interval_minutes": source.interval_minutes, "time_zone": source.time_zone, "enabled": source.enabled,
        "mapping_json": json.dumps(source.mapping, ensure_ascii=False, indent=2) if source.mapping else "",
    }
    settings = dict(source.settings)
    values["fields_json"] = json.dumps(settings.pop("fields"), ensure_ascii=False) if settings.get("fields") else ""
    values.update(settings)
    return values
