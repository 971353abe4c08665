"""The template editor's form fields ↔ definition (indicators/views/template_editor.py): the round trip is the
identity for every shipped template, the structure edits, the running weight sums and where errors show."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.http import QueryDict

from fairmark.indicators import library
from fairmark.indicators.views import template_editor as editor


def _post(fields: dict[str, str]) -> QueryDict:
    """The fields as a browser posts them (a QueryDict, in the page's order)."""
    query = QueryDict(mutable=True)
    for name, value in fields.items():
        query[name] = value
    return query


@pytest.mark.parametrize("template", library.load_templates(), ids=lambda t: t["code"])
def test_the_round_trip_is_the_identity_for_every_shipped_template(template) -> None:  # type: ignore[no-untyped-def]
    fields = editor.fields_from_definition(template)
    assert editor.definition_from_fields(fields) == template
    assert editor.definition_from_fields(_post(fields)) == template


@pytest.mark.django_db
@pytest.mark.usefixtures("library")
def test_the_round_trip_is_the_identity_for_the_installed_versions() -> None:
    """Published versions carry the pinned indicator versions, the note and the normalised applies_to."""
    from fairmark.indicators.models import Template
    from fairmark.indicators.services.templates import definition_of

    templates = list(Template.objects.select_related("head"))
    assert len(templates) == len(library.load_templates())
    for template in templates:
        assert template.head is not None
        definition = definition_of(template.head)
        assert any("indicator_version" in item for section in definition["sections"] for item in section["items"])
        assert editor.definition_from_fields(_post(editor.fields_from_definition(definition))) == definition


def test_the_fields_are_named_by_section_and_item() -> None:
    operator = library.templates_by_code()["production_operator"]
    fields = editor.fields_from_definition(operator)
    assert fields["s-0-weight"] == "70"
    assert fields["s-1-name_zh"] == "能力/价值观"
    assert fields["s-0-i-1-indicator"] == "yield_rate"
    assert fields["s-0-i-1-weight"] == "25"
    assert fields["s-1-i-0-kind"] == "rated"
    assert fields["s-1-i-0-g-manager"] == "60"
    assert fields["s-2-i-0-cap"] == "5"
    assert fields["applies_levels"] == "P1, P2, P3"
    assert "s-0-i-0-name_zh" not in fields  # an indicator item shows no name of its own
    assert '"trigger"' in fields["s-2-i-1-extra"]  # the veto's rule travels unseen


def test_the_sections_and_items_follow_their_numbers_not_their_order_or_gaps() -> None:
    fields = {
        "name_zh": "方案", "period": "month", "missing_rule": "reweight",
        "applies_positions": "OP，LL, ", "applies_levels": "", "applies_job_families": "PRD",
        "s-5-key": "b", "s-5-name_zh": "乙", "s-5-name_en": "", "s-5-weight": "70",
        "s-5-i-3-kind": "okr", "s-5-i-3-name_zh": "OKR", "s-5-i-3-name_en": "", "s-5-i-3-weight": "100",
        "s-2-key": "a", "s-2-name_zh": "甲", "s-2-name_en": "", "s-2-weight": " 30 ",
        "s-2-i-9-kind": "indicator", "s-2-i-9-indicator": "output", "s-2-i-9-weight": "40",
        "s-2-i-1-kind": "indicator", "s-2-i-1-indicator": "yield_rate", "s-2-i-1-weight": "60",
    }
    definition = editor.definition_from_fields(fields)
    assert definition["applies_to"] == {"job_families": ["PRD"], "positions": ["OP", "LL"], "levels": []}
    assert [section["key"] for section in definition["sections"]] == ["a", "b"]
    assert definition["sections"][0]["weight"] == "30"
    assert [item["indicator"] for item in definition["sections"][0]["items"]] == ["yield_rate", "output"]
    assert definition["sections"][1]["items"] == [{"kind": "okr", "name_zh": "OKR", "name_en": "", "weight": "100"}]
    assert "code" not in definition
    assert "note" not in definition


def test_rater_groups_keep_the_posted_order_and_an_empty_weight_means_the_group_does_not_rate() -> None:
    fields = {"s-0-key": "k", "s-0-i-0-kind": "rated", "s-0-i-0-indicator": "teamwork", "s-0-i-0-weight": "100",
              "s-0-i-0-g-self": "20", "s-0-i-0-g-manager": "80", "s-0-i-0-g-peer": "", "s-0-i-0-g-n_plus_2": " "}
    item = editor.definition_from_fields(fields)["sections"][0]["items"][0]
    assert item["rater_groups"] == [{"group": "self", "weight": "20"}, {"group": "manager", "weight": "80"}]


def test_a_changed_kind_keeps_only_its_own_fields() -> None:
    fields = {"s-0-key": "k", "s-0-i-0-kind": "adjustment", "s-0-i-0-indicator": "teamwork", "s-0-i-0-weight": "10",
              "s-0-i-0-name_zh": "加减分", "s-0-i-0-cap": "5", "s-0-i-0-g-manager": "100",
              "s-0-i-0-extra": '{"reason_required": true, "cap": "9"}'}
    item = editor.definition_from_fields(fields)["sections"][0]["items"][0]
    assert item == {"kind": "adjustment", "name_zh": "加减分", "name_en": "", "cap": "5", "reason_required": True}
    broken = {**fields, "s-0-i-0-extra": "{not json"}
    assert "reason_required" not in editor.definition_from_fields(broken)["sections"][0]["items"][0]


def test_structure_edits() -> None:
    base = copy.deepcopy(library.templates_by_code()["production_operator"])
    added = editor.apply_action(base, "add-section")
    assert len(added["sections"]) == 4
    assert added["sections"][3]["key"] == "s4"
    assert added["sections"][3]["items"] == [{"kind": "indicator", "indicator": "", "weight": ""}]
    assert len(base["sections"]) == 3  # the input is not changed
    removed = editor.apply_action(base, "remove-section-1")
    assert [section["key"] for section in removed["sections"]] == ["kpi", "adjustments"]
    with_item = editor.apply_action(base, "add-item-2")
    assert len(with_item["sections"][2]["items"]) == 3
    without_item = editor.apply_action(base, "remove-item-0-1")
    assert [item["indicator"] for item in without_item["sections"][0]["items"]][:2] == ["output", "production_efficiency"]
    for nothing in ("refresh", "remove-section-9", "remove-item-0-99", "add-item-7", "drop tables", ""):
        assert editor.apply_action(base, nothing) == base
    # A new section's key does not clash with one already there.
    keyed = {"sections": [{"key": "s2", "items": []}]}
    assert editor.apply_action(keyed, "add-section")["sections"][1]["key"] == "s3"


def test_the_running_sums() -> None:
    definition = {"sections": [
        {"weight": "30", "items": [{"kind": "indicator", "weight": "60"}, {"kind": "indicator", "weight": "40"}]},
        {"weight": "69.99", "items": [{"kind": "rated", "weight": "100"}]},
        {"weight": "0", "items": [{"kind": "adjustment", "cap": "5"}]},
    ]}
    sums = editor.weight_sums(definition)
    assert sums.sections.total == Decimal("99.99")
    assert sums.sections.shown == "99.99"
    assert not sums.sections.ok
    assert sums.items[0] is not None
    assert sums.items[0].ok
    assert sums.items[0].shown == "100"
    assert sums.items[2] is None  # only an adjustment: nothing to add up
    definition["sections"][1]["weight"] = "70.00"
    assert editor.weight_sums(definition).sections.ok
    definition["sections"][1]["weight"] = "seventy"
    assert editor.weight_sums(definition).sections.shown == "—"


def test_errors_are_shown_at_their_fields() -> None:
    assert editor.field_name("sections.0.items.1.weight") == "s-0-i-1-weight"
    assert editor.field_name("sections.1.items.0.rater_groups") == "s-1-i-0-rater_groups"
    assert editor.field_name("sections.0.weight") == "s-0-weight"
    assert editor.field_name("sections.0.items") == "s-0-items"
    assert editor.field_name("sections") == "sections"
    assert editor.field_name("name_zh") == "name_zh"
    operator = library.templates_by_code()["production_operator"]
    rows = editor.editor_sections(
        operator, {"sections.1.weight": ["bad"], "sections.0.items.2.indicator": ["unknown"]}, {},
        kind_labels={"indicator": "Indicator", "rated": "Rated"}, group_labels={"manager": "Manager"},
        missing_label="missing")
    assert rows[1].errors["weight"] == ["bad"]
    assert rows[0].items[2].errors["indicator"] == ["unknown"]
    assert rows[0].items[0].errors["indicator"] == []
    # An indicator no longer offered stays selected, marked, so the form posts it back unchanged.
    assert rows[0].items[2].indicators[0].value == "production_efficiency"
    assert rows[0].items[2].indicators[0].selected
    # A rated item offers every rater group, those in use first in their order.
    assert [group.group for group in rows[1].items[0].groups] == ["manager", "peer", "self", "n_plus_2", "subordinate"]
    assert rows[1].items[0].groups[1].weight == "20"
    assert rows[1].items[0].groups[3].weight == ""
