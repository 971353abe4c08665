"""What the API reads and writes for indicators and templates. Output serializers are read-only; input
serializers only shape the request: the definitions are checked by services/checks.py, so the API, the
editor pages and the Excel import report the same problems under the same field paths."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import Indicator, IndicatorVersion, Template, TemplateVersion

INDICATOR_DEFINITION = (
    "name_zh", "name_en", "category", "unit", "direction", "definition_zh", "definition_en", "metrics",
    "aggregation", "formula", "scoring", "data_source_hint", "note",
)
TEMPLATE_DEFINITION = ("name_zh", "name_en", "period", "missing_rule", "applies_to", "sections", "note")


def _text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, default="", trim_whitespace=False,
                                 help_text=help_text)


# --- indicators -----------------------------------------------------------------------------------------------


class IndicatorVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # A plain string in the schema: an enum named "status" would collide with the employees' status enum.
    status = serializers.CharField(read_only=True, help_text="draft, published or superseded")
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    published_by = serializers.CharField(source="published_by.username", read_only=True, default=None)

    class Meta:
        model = IndicatorVersion
        fields = ["number", "status", *INDICATOR_DEFINITION, "created_at", "created_by", "published_at",
                  "published_by"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An indicator with the numbers of its newest and published versions and one definition: the newest
    (a draft, perhaps) for those who may edit it, the published one for everyone else."""

    owner_department = serializers.CharField(source="owner_department.code", read_only=True, default=None)
    owner = serializers.CharField(source="owner.number", read_only=True, default=None,
                                  help_text="Employee number of the person responsible")
    head_version = serializers.IntegerField(source="head.number", read_only=True, default=None)
    published_version = serializers.IntegerField(source="published.number", read_only=True, default=None)
    status = serializers.SerializerMethodField(help_text="retired, draft (a draft is open) or published")
    editable = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text="The definition shown: the newest version for editors, "
                                                          "the published one for readers")

    class Meta:
        model = Indicator
        fields = ["code", "owner_department", "owner", "retired", "shipped", "head_version", "published_version",
                  "status", "editable", "version", "created_at", "updated_at"]
        read_only_fields = fields

    def _editable(self, indicator: Indicator) -> bool:
        return indicator.pk in self.context.get("editable", set())

    def get_status(self, indicator: Indicator) -> str:
        if indicator.retired:
            return "retired"
        return indicator.head.status if indicator.head else "draft"

    def get_editable(self, indicator: Indicator) -> bool:
        return self._editable(indicator)

    def get_version(self, indicator: Indicator) -> dict[str, Any] | None:
        shown = indicator.head if self._editable(indicator) else (indicator.published or indicator.head)
        return IndicatorVersionSerializer(shown).data if shown else None


class IndicatorDefinitionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name_zh = _text()
    name_en = _text()
    category = _text("quantity, quality, cost, timeliness, service, behaviour or innovation")
    unit = _text()
    direction = _text("higher or lower")
    definition_zh = _text("The definition (口径): what is counted, from which system, what is excluded")
    definition_en = _text()
    aggregation = _text("sum, avg, last, min, max, count or ratio_of_sums")
    formula = _text("In the formula language (docs/formulas.md); empty for an item scored by ratings")
    scoring = serializers.JSONField(required=False, default=dict, help_text='{"kind": "linear", "params": {...}}')
    metrics = serializers.ListField(child=serializers.DictField(), required=False, default=list,
                                    help_text="Names and units of the formula's metrics (optional)")
    data_source_hint = _text()
    note = _text("Change note")

    def definition(self) -> dict[str, Any]:
        data = self.validated_data
        return {field: ("" if data.get(field) is None else data.get(field)) for field in INDICATOR_DEFINITION}


class IndicatorCreateSerializer(IndicatorDefinitionSerializer):
    code = serializers.CharField(max_length=64, help_text="Lower-case letters, digits and _")
    owner_department = serializers.CharField(required=False, allow_null=True, default=None,
                                             help_text="Department code of the owning unit; null: company-wide")
    publish = serializers.BooleanField(required=False, default=False, help_text="Publish version 1 at once")


class IndicatorUpdateSerializer(IndicatorDefinitionSerializer):
    base_version = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="The version number the change started from; 409 if "
                                                      "someone saved since")
    owner_department = serializers.CharField(required=False, allow_null=True,
                                             help_text="Department code; leave out to keep the owner")


class RetireSerializer(serializers.Serializer):  # type: ignore[type-arg]
    retired = serializers.BooleanField(required=False, default=True)


class MetricSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()


class IndicatorValidSerializer(serializers.Serializer):  # type: ignore[type-arg]
    valid = serializers.BooleanField()
    metrics = MetricSerializer(many=True)
    scoring = serializers.JSONField()


class TrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    formula = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    aggregation = serializers.CharField(required=False, allow_blank=True, default="sum")
    scoring = serializers.JSONField(required=False, default=dict)
    samples = serializers.DictField(child=serializers.JSONField(), required=False, default=dict,
                                    help_text='metric code → [numbers] or "1 2 3"')
    rating = serializers.JSONField(required=False, allow_null=True, default=None,
                                   help_text="For a rated item (no formula): the rating to score")


class TermSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class TrialSerializer(serializers.Serializer):  # type: ignore[type-arg]
    value = serializers.CharField(allow_null=True)
    terms = TermSerializer(many=True)
    score = serializers.JSONField(allow_null=True)
    explanation = serializers.CharField()


# --- templates ------------------------------------------------------------------------------------------------


class TemplateVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # A plain string in the schema: an enum named "status" would collide with the employees' status enum.
    status = serializers.CharField(read_only=True, help_text="draft, published or superseded")
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    published_by = serializers.CharField(source="published_by.username", read_only=True, default=None)

    class Meta:
        model = TemplateVersion
        fields = ["number", "status", *TEMPLATE_DEFINITION, "created_at", "created_by", "published_at",
                  "published_by"]
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    owner_department = serializers.CharField(source="owner_department.code", read_only=True, default=None)
    head_version = serializers.IntegerField(source="head.number", read_only=True, default=None)
    published_version = serializers.IntegerField(source="published.number", read_only=True, default=None)
    status = serializers.SerializerMethodField(help_text="archived, draft (a draft is open) or published")
    editable = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text="The definition shown: the newest version for editors, "
                                                          "the published one for readers")

    class Meta:
        model = Template
        fields = ["code", "owner_department", "archived", "shipped", "head_version", "published_version", "status",
                  "editable", "version", "created_at", "updated_at"]
        read_only_fields = fields

    def _editable(self, template: Template) -> bool:
        return template.pk in self.context.get("editable", set())

    def get_status(self, template: Template) -> str:
        if template.archived:
            return "archived"
        return template.head.status if template.head else "draft"

    def get_editable(self, template: Template) -> bool:
        return self._editable(template)

    def get_version(self, template: Template) -> dict[str, Any] | None:
        shown = template.head if self._editable(template) else (template.published or template.head)
        return TemplateVersionSerializer(shown).data if shown else None


class TemplateDefinitionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name_zh = _text()
    name_en = _text()
    period = _text("month, quarter, half_year or year")
    missing_rule = _text("reweight or zero")
    applies_to = serializers.JSONField(required=False,
                                       help_text='{"job_families": [...], "positions": [...], "levels": [...]}')
    sections = serializers.JSONField(required=False,
                                     help_text="Sections and items as in docs/library.md; weights as strings")
    note = _text("Change note")

    def definition(self) -> dict[str, Any]:
        data = self.validated_data
        empty: dict[str, Any] = {"applies_to": {}, "sections": []}
        return {field: (empty.get(field, "") if data.get(field) is None else data.get(field))
                for field in TEMPLATE_DEFINITION}


class TemplateCreateSerializer(TemplateDefinitionSerializer):
    code = serializers.CharField(max_length=64, help_text="Lower-case letters, digits and _")
    owner_department = serializers.CharField(required=False, allow_null=True, default=None,
                                             help_text="Department code of the owning unit; null: company-wide")
    publish = serializers.BooleanField(required=False, default=False, help_text="Publish version 1 at once")


class TemplateUpdateSerializer(TemplateDefinitionSerializer):
    base_version = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="The version number the change started from; 409 if "
                                                      "someone saved since")
    owner_department = serializers.CharField(required=False, allow_null=True,
                                             help_text="Department code; leave out to keep the owner")


class ArchiveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    archived = serializers.BooleanField(required=False, default=True)


class DuplicateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=64)
    name_zh = serializers.CharField(required=False, allow_blank=True, default="")
    name_en = serializers.CharField(required=False, allow_blank=True, default="")
    owner_department = serializers.CharField(required=False, allow_null=True,
                                             help_text="Department code; leave out to keep the source's owner")


class TemplateValidSerializer(serializers.Serializer):  # type: ignore[type-arg]
    valid = serializers.BooleanField()
    definition = serializers.JSONField()
