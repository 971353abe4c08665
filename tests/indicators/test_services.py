"""The indicator and template services: versions, validation, scope, audit, the shipped library."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import ConflictError, OutOfScope, ServiceError
from fairmark.indicators import library
from fairmark.indicators.models import Indicator, Template, VersionStatus
from fairmark.indicators.selectors import (
    indicators_editable_by,
    indicators_visible_to,
    templates_editable_by,
    templates_visible_to,
)
from fairmark.indicators.services import indicators as indicator_services
from fairmark.indicators.services import templates as template_services
from tests.indicators.definitions import YIELD, two_sections

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]

def test_a_fresh_database_has_the_shipped_library_published() -> None:
    assert Indicator.objects.filter(shipped=True, published__isnull=False).count() == len(library.load_indicators())
    assert Indicator.objects.count() >= 60
    templates = Template.objects.filter(shipped=True).select_related("published")
    assert templates.count() >= 9
    operator = templates.get(code="production_operator").published
    assert operator is not None
    assert operator.status == VersionStatus.PUBLISHED
    items = [item for section in operator.sections for item in section["items"] if "indicator" in item]
    assert items
    assert all(item["indicator_version"] == 1 for item in items)
    assert AuditEvent.objects.get(action="library.install").after["indicators"] == [i["code"] for i in library.load_indicators()]


def test_the_first_migrate_installs_the_library_and_later_ones_do_not(settings) -> None:
    from fairmark.indicators.models import LibraryInstall
    from fairmark.indicators.services.library import install_after_migrate

    settings.FAIRMARK_INSTALL_LIBRARY_ON_MIGRATE = True
    install_after_migrate(sender=None)  # the library fixture installed it already: nothing more
    assert LibraryInstall.objects.count() == 1


def test_installing_again_adds_nothing() -> None:
    from fairmark.indicators.services.library import install_library

    installed = install_library()
    assert installed.indicators == []
    assert installed.templates == []


def test_saving_a_published_indicator_opens_a_new_version_and_pinned_templates_keep_the_old(world) -> None:
    hr = world.user("hr")
    indicator = Indicator.objects.get(code="yield_rate")
    changed = {**YIELD, "scoring": {"kind": "linear", "params": {"threshold": "92", "target": "96",
                                                                 "stretch": "99", "direction": "higher"}}}
    draft = indicator_services.indicator_save(actor=hr, indicator=indicator, data=changed, base_version=1)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    indicator.refresh_from_db()
    assert indicator.published.number == 1
    assert indicator.head == draft
    indicator_services.indicator_publish(actor=hr, indicator=indicator)
    indicator.refresh_from_db()
    assert indicator.published.number == 2
    assert indicator.versions.get(number=1).status == VersionStatus.SUPERSEDED
    assert indicator.versions.get(number=1).scoring["params"]["threshold"] == "90"
    operator = Template.objects.get(code="production_operator").published
    pinned = [item for section in operator.sections for item in section["items"] if item.get("indicator") == "yield_rate"]
    assert pinned[0]["indicator_version"] == 1
    assert AuditEvent.objects.filter(action="indicator.publish", object_id=str(indicator.pk)).exists()


def test_a_stale_editor_cannot_overwrite_a_newer_save(world) -> None:
    hr = world.user("hr")
    indicator = Indicator.objects.get(code="yield_rate")
    indicator_services.indicator_save(actor=hr, indicator=indicator, data=YIELD, base_version=1)
    with pytest.raises(ConflictError):
        indicator_services.indicator_save(actor=hr, indicator=indicator, data=YIELD, base_version=1)


def test_a_bad_formula_is_refused_with_its_column_in_both_languages(world) -> None:
    for lang, expected in (("en", "column 18"), ("zh-hans", "第 18 列")):
        with translation.override(lang), pytest.raises(ServiceError) as caught:
            indicator_services.indicator_create(actor=world.user("hr"), code="bad_one",
                                                data={**YIELD, "formula": "sum(good_units) ** 2"})
        assert any(expected in message for message in caught.value.fields["formula"])
    assert not Indicator.objects.filter(code="bad_one").exists()


def test_rule_parameters_and_direction_are_checked(world) -> None:
    bad = {**YIELD, "scoring": {"kind": "linear", "params": {"threshold": "98", "target": "95", "stretch": "99",
                                                             "direction": "higher"}}}
    with pytest.raises(ServiceError) as caught:
        indicator_services.indicator_create(actor=world.user("hr"), code="bad_rule", data=bad)
    assert any(key.startswith("scoring.") for key in caught.value.fields)
    mirrored = {**YIELD, "direction": "lower"}
    with pytest.raises(ServiceError) as caught:
        indicator_services.indicator_create(actor=world.user("hr"), code="bad_direction", data=mirrored)
    assert "scoring.direction" in caught.value.fields


def test_metrics_come_from_the_formula_with_the_names_already_known(world) -> None:
    indicator = indicator_services.indicator_create(actor=world.user("hr"), code="line_yield", data=YIELD)
    metrics = {metric["code"]: metric for metric in indicator.head.metrics}
    assert set(metrics) == {"good_units", "produced_units"}
    assert metrics["good_units"]["name_zh"] == "良品数"


def test_weights_must_add_up_to_exactly_100(world) -> None:
    hr = world.user("hr")
    with translation.override("en"), pytest.raises(ServiceError) as caught:
        template_services.template_create(actor=hr, code="line1_operator", data=two_sections("30", "69.99"))
    assert "99.99" in " ".join(caught.value.fields["sections"])
    assert not Template.objects.filter(code="line1_operator").exists()
    template = template_services.template_create(actor=hr, code="line1_operator", data=two_sections("30", "70"),
                                                 publish_now=True)
    assert template.published is not None
    section_weights = [section["weight"] for section in template.published.sections]
    assert section_weights == ["30", "70"]


def test_item_weights_and_rater_groups_are_checked_where_they_are(world) -> None:
    data = two_sections()
    data["sections"][0]["items"][1]["weight"] = "39.5"
    data["sections"][1]["items"][0]["rater_groups"][2]["weight"] = "25"
    with pytest.raises(ServiceError) as caught:
        template_services.template_create(actor=world.user("hr"), code="x_template", data=data)
    assert "sections.0.items" in caught.value.fields
    assert "sections.1.items.0.rater_groups" in caught.value.fields


def test_a_template_may_only_use_published_indicators_of_the_right_kind(world) -> None:
    data = two_sections()
    data["sections"][0]["items"][0]["indicator"] = "teamwork"  # rated, not computed
    data["sections"][0]["items"][1]["indicator"] = "no_such_code"
    with pytest.raises(ServiceError) as caught:
        template_services.template_create(actor=world.user("hr"), code="x_template", data=data)
    assert {"sections.0.items.0.indicator", "sections.0.items.1.indicator"} <= set(caught.value.fields)


def test_duplicate_copies_the_definition_as_a_new_draft(world) -> None:
    source = Template.objects.get(code="production_operator")
    copy_ = template_services.template_duplicate(actor=world.user("hr"), template=source, code="operator_line1")
    assert copy_.head.status == VersionStatus.DRAFT
    assert copy_.published is None
    assert len(copy_.head.sections) == len(source.published.sections)
    assert "(copy)" in copy_.head.name_zh or "副本" in copy_.head.name_zh


def test_hr_bp_edits_only_what_their_units_own(world) -> None:
    hrbp = world.user("hrbp")
    qa, line1 = world.depts["QA"], world.depts["LINE1"]
    with pytest.raises(ServiceError) as caught:
        indicator_services.indicator_create(actor=hrbp, code="qa_metric", data=YIELD)
    assert "owner_department" in caught.value.fields
    with pytest.raises(ServiceError):
        indicator_services.indicator_create(actor=hrbp, code="qa_metric", data=YIELD, owner_department=line1)
    mine = indicator_services.indicator_create(actor=hrbp, code="qa_metric", data=YIELD, owner_department=qa)
    assert indicators_editable_by(hrbp).filter(pk=mine.pk).exists()
    shipped = Indicator.objects.get(code="yield_rate")
    assert not indicators_editable_by(hrbp).filter(pk=shipped.pk).exists()
    with pytest.raises(OutOfScope):
        indicator_services.indicator_save(actor=hrbp, indicator=shipped, data=YIELD)


@pytest.mark.parametrize("role", ["employee", "manager", "head", "exec"])
def test_readers_cannot_change_the_library(world, role) -> None:
    user = world.user(role)
    with pytest.raises(OutOfScope):
        indicator_services.indicator_create(actor=user, code="nope", data=YIELD)
    with pytest.raises(OutOfScope):
        indicator_services.indicator_save(actor=user, indicator=Indicator.objects.get(code="yield_rate"), data=YIELD)
    assert not templates_editable_by(user).exists()


def test_an_employee_reads_what_applies_to_them(world) -> None:
    employee = world.user("employee")
    assert not templates_visible_to(employee).exists()  # the shipped templates name other positions
    template = template_services.template_create(actor=world.user("hr"), code="line1_operator",
                                                 data=two_sections(), publish_now=True)
    assert list(templates_visible_to(employee)) == [template]
    codes = set(indicators_visible_to(employee).values_list("code", flat=True))
    assert codes == {"yield_rate", "output", "teamwork"}
    assert templates_visible_to(world.user("manager")).count() == Template.objects.count()


def test_an_unpublished_draft_template_is_not_read_by_employees(world) -> None:
    data = copy.deepcopy(two_sections())
    template_services.template_create(actor=world.user("hr"), code="draft_only", data=data)
    assert not templates_visible_to(world.user("employee")).exists()



@pytest.mark.parametrize("code", ["new", "check", "templates"])
def test_codes_that_are_page_names_are_refused(world, code) -> None:
    with pytest.raises(ServiceError) as caught:
        indicator_services.indicator_create(actor=world.user("hr"), code=code, data=YIELD)
    assert "code" in caught.value.fields
