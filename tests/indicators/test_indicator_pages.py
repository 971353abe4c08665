"""The indicator library pages through the test client: the scoped list with search and filters, the
definition page, the editor (create, edit with versions, conflicts, errors on the form), publish, discard,
retire, the live check and the "try it" panel in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from fairmark.audit.models import AuditEvent
from fairmark.core.access import SYSTEM
from fairmark.indicators.models import Indicator, IndicatorVersion, VersionStatus
from fairmark.indicators.scoring import LinearRule, rule_from_dict
from fairmark.indicators.services.indicators import VERSION_FIELDS, indicator_create, indicator_save
from fairmark.indicators.views.indicator_forms import IndicatorForm, definition_from
from fairmark.indicators.views.rule_fields import initial_from_rule, rule_from_post
from tests.indicators.definitions import YIELD, YIELD_FORMULA
from tests.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]


def _lang(client: Client, language: str = "en") -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _new(world: World, code: str = "line_yield", owner: str = "", **changes: str) -> dict[str, str]:
    data = {
        "code": code,
        **{name: value for name, value in YIELD.items() if name != "scoring"},  # the form takes it as rule_* fields
        "owner_department": str(world.depts[owner].pk) if owner else "", "note": "新建",
        "rule_kind": "linear", "rule_linear_threshold": "90", "rule_linear_target": "95", "rule_linear_stretch": "98",
        "action": "draft",
    }
    data.update(changes)
    return data


def _editor_data(user: Any, indicator: Indicator) -> dict[str, str]:
    """What the editor page posts when nothing is changed: every field's initial value."""
    form = IndicatorForm(user=user, indicator=indicator)
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    return data


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-code="([a-z0-9_]+)"', page)


# --- the list ----------------------------------------------------------------------------------------------


def test_the_list_is_scoped(client_as) -> None:  # type: ignore[no-untyped-def]
    employee = client_as("employee").get("/indicators/")
    assert employee.status_code == 200
    assert _rows(employee.content.decode()) == []
    manager = client_as("manager").get("/indicators/?q=yield_rate").content.decode()
    assert "yield_rate" in _rows(manager)
    assert 'data-testid="new-indicator"' not in manager
    assert 'data-testid="new-indicator"' in client_as("hrbp").get("/indicators/").content.decode()
    assert 'data-testid="new-indicator"' in client_as("hr").get("/indicators/").content.decode()


def test_search_and_filters(client_as) -> None:  # type: ignore[no-untyped-def]
    client = _lang(client_as("manager"))

    def codes(query: str) -> list[str]:
        return _rows(client.get(f"/indicators/?{query}").content.decode())

    assert codes("q=yield_rate") == ["yield_rate"]
    assert "yield_rate" in codes("q=良品率")
    assert "yield_rate" in codes("q=Yield")
    quality = codes("category=quality")
    assert "yield_rate" in quality
    assert "output" not in quality
    lower = codes("direction=lower")
    assert "defect_rate" in lower
    assert "yield_rate" not in lower
    operator = codes("template=production_operator")
    assert "yield_rate" in operator
    assert "teamwork" in operator
    assert "patents_filed" not in operator
    assert codes("template=no_such_template") == []
    assert codes("status=draft") == []
    assert codes("status=retired") == []

    yield_rate = Indicator.objects.get(code="yield_rate")
    data = {field: getattr(yield_rate.head, field) for field in VERSION_FIELDS}
    indicator_save(actor=SYSTEM, indicator=yield_rate, data=data)
    Indicator.objects.filter(code="output").update(retired=True)
    assert codes("status=draft") == ["yield_rate"]
    assert codes("status=retired") == ["output"]
    assert "output" not in codes("status=published")


def test_an_htmx_search_returns_the_rows_only(client_as) -> None:  # type: ignore[no-untyped-def]
    page = client_as("manager").get("/indicators/?q=defect", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page
    assert "defect_rate" in _rows(page)


def test_the_list_query_count_does_not_grow_with_rows(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    client.get("/indicators/")  # warm up (sessions, content types)

    def count(query: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/indicators/?{query}")
        return len(queries), len(_rows(response.content.decode()))

    few_queries, few_rows = count("q=yield_rate")
    many_queries, many_rows = count("")
    assert few_rows == 1
    assert many_rows == 50
    assert many_queries == few_queries


# --- reading ------------------------------------------------------------------------------------------------


def test_the_indicator_page(client_as) -> None:  # type: ignore[no-untyped-def]
    page = _lang(client_as("manager")).get("/indicators/yield_rate/").content.decode()
    assert YIELD_FORMULA in page
    assert "good_units" in page
    assert "produced_units" in page
    with translation.override("en"):
        described = rule_from_dict(Indicator.objects.get(code="yield_rate").head.scoring).describe().text("en")
    assert described in page
    assert "production_operator" in page
    assert "line_leader" in page
    assert 'href="/indicators/yield_rate/versions/1/"' in page
    assert 'data-testid="indicator-actions"' not in page  # a reader has no buttons
    chinese = _lang(client_as("manager"), "zh-hans").get("/indicators/yield_rate/").content.decode()
    assert "按考核期统计" in chinese
    assert "线性计分" in chinese
    assert 'data-testid="indicator-actions"' in client_as("hr").get("/indicators/yield_rate/").content.decode()


def test_a_rated_item_shows_its_anchored_scale(client_as) -> None:  # type: ignore[no-untyped-def]
    page = _lang(client_as("manager")).get("/indicators/teamwork/").content.decode()
    assert "Steps in without being asked" in page
    chinese = _lang(client_as("manager"), "zh-hans").get("/indicators/teamwork/").content.decode()
    assert "主动补位" in chinese


def test_readers_get_403_on_editing_and_employees_404(client_as) -> None:  # type: ignore[no-untyped-def]
    for role in ("manager", "head", "exec", "admin"):
        client = client_as(role)
        assert client.get("/indicators/new/").status_code == 403
        assert client.get("/indicators/yield_rate/edit/").status_code == 403
        assert client.post("/indicators/yield_rate/publish/").status_code == 403
        assert client.post("/indicators/yield_rate/retire/", {"retired": "1"}).status_code == 403
    employee = client_as("employee")
    assert employee.get("/indicators/yield_rate/").status_code == 404
    assert employee.get("/indicators/yield_rate/edit/").status_code == 404
    assert employee.get("/indicators/new/").status_code == 403
    assert client_as("hrbp").get("/indicators/yield_rate/edit/").status_code == 403  # not QA-owned
    assert client_as("anonymous").get("/indicators/").status_code == 302


# --- creating ----------------------------------------------------------------------------------------------


def test_create_a_linear_indicator_then_publish_it(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _lang(client_as("hr"))
    response = client.post("/indicators/new/", _new(world))
    assert response.status_code == 302
    assert response["Location"] == "/indicators/line_yield/"
    indicator = Indicator.objects.select_related("head").get(code="line_yield")
    version = indicator.head
    assert version is not None
    assert version.number == 1
    assert version.status == VersionStatus.DRAFT
    assert indicator.published is None
    assert indicator.owner_department is None
    assert rule_from_dict(version.scoring) == LinearRule(threshold="90", target="95", stretch="98")  # type: ignore[arg-type]
    assert version.metric_codes == ["good_units", "produced_units"]
    assert version.metrics[0]["name_zh"] == "良品数"  # named from the library's description of the metric
    page = client.get("/indicators/line_yield/").content.decode()
    assert "Publish version 1" in page

    response = client.post("/indicators/line_yield/publish/")
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.published_id == version.pk
    assert IndicatorVersion.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED


def test_save_and_publish_at_once(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post("/indicators/new/", _new(world, action="publish"))
    assert response.status_code == 302
    indicator = Indicator.objects.select_related("published").get(code="line_yield")
    assert indicator.published is not None
    assert indicator.published.number == 1


def test_a_bad_formula_is_shown_with_its_column_and_nothing_is_saved(world, client_as) -> None:  # type: ignore[no-untyped-def]
    events = AuditEvent.objects.count()
    response = _lang(client_as("hr")).post("/indicators/new/", _new(world, formula="sum(good_units) / * 100"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "column 19" in page
    assert 'data-field-error="formula"' in page
    assert not Indicator.objects.filter(code="line_yield").exists()
    assert AuditEvent.objects.count() == events
    chinese = _lang(client_as("hr"), "zh-hans").post("/indicators/new/", _new(world, formula="sum(good_units) / * 100"))
    assert "第 19 列" in chinese.content.decode()


def test_bad_rule_parameters_are_shown_next_to_their_fields(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = _lang(client_as("hr")).post("/indicators/new/", _new(world, rule_linear_stretch="93"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field-error="rule_linear_stretch"' in page
    assert "must be above the target (95)" in page
    assert not Indicator.objects.filter(code="line_yield").exists()


def test_a_taken_or_malformed_code_is_refused(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _lang(client_as("hr"))
    taken = client.post("/indicators/new/", _new(world, code="yield_rate"))
    assert taken.status_code == 400
    assert "An indicator with this code exists." in taken.content.decode()
    malformed = client.post("/indicators/new/", _new(world, code="Line-Yield"))
    assert malformed.status_code == 400
    assert 'data-field-error="code"' in malformed.content.decode()


def test_an_hr_bp_creates_only_for_their_units(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hrbp")
    page = client.get("/indicators/new/").content.decode()
    assert f'value="{world.depts["QA"].pk}"' in page
    assert f'value="{world.depts["LINE1"].pk}"' not in page
    assert client.post("/indicators/new/", _new(world, owner="LINE1")).status_code == 400
    assert client.post("/indicators/new/", _new(world)).status_code == 400  # company-wide is for HR admins
    assert not Indicator.objects.filter(code="line_yield").exists()
    assert client.post("/indicators/new/", _new(world, owner="QA")).status_code == 302
    indicator = Indicator.objects.get(code="line_yield")
    assert indicator.owner_department == world.depts["QA"]
    assert client.get("/indicators/line_yield/edit/").status_code == 200


# --- editing -----------------------------------------------------------------------------------------------


def test_editing_the_published_yield_makes_a_draft_v2(world, client_as) -> None:  # type: ignore[no-untyped-def]
    hr = world.user("hr")
    yield_rate = Indicator.objects.get(code="yield_rate")
    client = _lang(client_as("hr"))
    page = client.get("/indicators/yield_rate/edit/").content.decode()
    assert "saving makes version 2 as a draft" in page
    assert 'name="base_version" value="1"' in page
    data = _editor_data(hr, yield_rate)
    data.update(rule_linear_target="96", note="目标上调", action="draft")
    response = client.post("/indicators/yield_rate/edit/", data)
    assert response.status_code == 302
    yield_rate.refresh_from_db()
    assert yield_rate.head is not None
    assert yield_rate.head.number == 2
    assert yield_rate.head.status == VersionStatus.DRAFT
    assert yield_rate.head.scoring["params"]["target"] == "96"
    assert yield_rate.published is not None
    assert yield_rate.published.number == 1
    assert yield_rate.published.status == VersionStatus.PUBLISHED
    detail = client.get("/indicators/yield_rate/").content.decode()
    assert 'data-testid="draft-notice"' in detail
    assert "Publish version 2" in detail
    assert client.get("/indicators/yield_rate/versions/2/").status_code == 200
    assert "You are editing draft version 2" in client.get("/indicators/yield_rate/edit/").content.decode()


def test_every_shipped_rule_round_trips_through_the_editor(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.user("hr")
    for indicator in Indicator.objects.select_related("head"):
        assert indicator.head is not None
        data = _editor_data(hr, indicator)
        expected = rule_from_dict(indicator.head.scoring).to_dict()
        assert definition_from(data)["scoring"] == expected, indicator.code
        assert rule_from_dict(rule_from_post(initial_from_rule(expected), indicator.head.direction)) \
            == rule_from_dict(expected), indicator.code


def test_saving_unchanged_keeps_the_rule(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    for code in ("teamwork", "equipment_utilisation", "serious_safety_incidents", "hr_paperwork_accuracy"):
        indicator = Indicator.objects.select_related("head").get(code=code)
        assert indicator.head is not None
        before = rule_from_dict(indicator.head.scoring).to_dict()
        response = client.post(f"/indicators/{code}/edit/", {**_editor_data(world.user("hr"), indicator),
                                                              "action": "draft"})
        assert response.status_code == 302, response.content.decode()[:2000]
        indicator.refresh_from_db()
        assert indicator.head is not None
        assert indicator.head.number == 2
        assert indicator.head.scoring == before
        assert indicator.head.formula == (indicator.published.formula if indicator.published else None)


def test_a_stale_editor_gets_the_conflict_message(world, client_as) -> None:  # type: ignore[no-untyped-def]
    yield_rate = Indicator.objects.get(code="yield_rate")
    stale = _editor_data(world.user("hr"), yield_rate)  # opened at version 1
    data = {field: getattr(yield_rate.head, field) for field in VERSION_FIELDS}
    indicator_save(actor=SYSTEM, indicator=yield_rate, data=data)  # someone saves version 2 meanwhile
    response = _lang(client_as("hr")).post("/indicators/yield_rate/edit/", {**stale, "rule_linear_target": "96"})
    assert response.status_code == 409
    assert "Someone saved version 2 of this indicator meanwhile; reload the page." in response.content.decode()
    yield_rate.refresh_from_db()
    assert yield_rate.head is not None
    assert yield_rate.head.scoring["params"]["target"] == "95"


def test_save_and_publish_an_edit(world, client_as) -> None:  # type: ignore[no-untyped-def]
    yield_rate = Indicator.objects.get(code="yield_rate")
    data = {**_editor_data(world.user("hr"), yield_rate), "rule_linear_stretch": "99", "action": "publish"}
    assert client_as("hr").post("/indicators/yield_rate/edit/", data).status_code == 302
    yield_rate.refresh_from_db()
    assert yield_rate.published is not None
    assert yield_rate.published.number == 2
    assert IndicatorVersion.objects.get(indicator=yield_rate, number=1).status == VersionStatus.SUPERSEDED


def test_discard_and_retire(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _lang(client_as("hr"))
    yield_rate = Indicator.objects.get(code="yield_rate")
    data = {field: getattr(yield_rate.head, field) for field in VERSION_FIELDS}
    indicator_save(actor=SYSTEM, indicator=yield_rate, data=data)
    assert client.post("/indicators/yield_rate/discard/").status_code == 302
    yield_rate.refresh_from_db()
    assert yield_rate.head_id == yield_rate.published_id
    refused = client.post("/indicators/yield_rate/discard/", follow=True)
    assert "There is no draft to discard." in refused.content.decode()

    assert client.post("/indicators/yield_rate/retire/", {"retired": "1"}).status_code == 302
    assert Indicator.objects.get(code="yield_rate").retired
    assert 'data-testid="retired-badge"' in client.get("/indicators/yield_rate/").content.decode()
    assert client.post("/indicators/yield_rate/retire/", {"retired": "0"}).status_code == 302
    assert not Indicator.objects.get(code="yield_rate").retired
    assert client.post("/indicators/yield_rate/retire/", {"retired": "maybe"}).status_code == 400


def test_an_hr_bp_edits_a_qa_owned_indicator(world, client_as) -> None:  # type: ignore[no-untyped-def]
    indicator_create(actor=SYSTEM, code="qa_escape_rate", owner_department=world.depts["QA"], publish_now=True,
                     data={**{field: getattr(Indicator.objects.get(code="yield_rate").head, field)
                              for field in VERSION_FIELDS}})
    client = client_as("hrbp")
    indicator = Indicator.objects.get(code="qa_escape_rate")
    data = {**_editor_data(world.user("hrbp"), indicator), "note": "收紧", "rule_linear_target": "96"}
    assert client.post("/indicators/qa_escape_rate/edit/", data).status_code == 302
    assert client.post("/indicators/qa_escape_rate/publish/").status_code == 302
    indicator.refresh_from_db()
    assert indicator.published is not None
    assert indicator.published.number == 2


# --- the live check ------------------------------------------------------------------------------------------


def test_the_live_check_marks_fields_and_names_metrics(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _lang(client_as("hr"))
    bad = client.post("/indicators/check/", _new(world, formula="sum(good_units) / * 100", rule_linear_stretch="93"))
    assert bad.status_code == 200
    page = bad.content.decode()
    assert re.search(r'id="live-err-formula" hx-swap-oob="true"><div[^>]*>[^<]*column 19', page)
    assert re.search(r'id="live-err-rule_linear_stretch" hx-swap-oob="true"><div', page)
    assert 'id="live-err-name_zh" hx-swap-oob="true"></div>' in page  # cleared
    good = client.post("/indicators/check/", _new(world, formula="sum(good_units) / sum(scrap_units) * 100"))
    page = good.content.decode()
    assert 'data-testid="check-ok"' in page
    assert "good_units" in page
    assert "scrap_units" in page
    assert "new metric" in page
    # the "try it" inputs follow the formula
    assert 'name="sample_scrap_units"' in page
    assert 'id="try-inputs" class="row g-2" hx-swap-oob="true"' in page
    same = client.post("/indicators/check/", {**_new(world), "sample_good_units": "1", "sample_produced_units": "2"})
    assert 'id="try-inputs"' not in same.content.decode()
    taken = client.post("/indicators/check/", _new(world, code="yield_rate"))
    assert "An indicator with this code exists." in taken.content.decode()
    assert not Indicator.objects.filter(code="line_yield").exists()
    assert client_as("manager").post("/indicators/check/", _new(world)).status_code == 403


# --- try it --------------------------------------------------------------------------------------------------


def _yield_trial() -> dict[str, str]:
    return {"formula": YIELD_FORMULA, "aggregation": "ratio_of_sums", "direction": "higher", "rule_kind": "linear",
            "rule_linear_threshold": "90", "rule_linear_target": "95", "rule_linear_stretch": "98",
            "sample_good_units": "4800 4850", "sample_produced_units": "5000 5000"}


@pytest.mark.parametrize(("language", "explanation"), [
    ("en", "96.5 is between the target 95 and the stretch 98"),
    ("zh-hans", "96.5 介于目标值 95 与挑战值 98 之间"),
])
def test_try_the_yield_rule(client_as, language: str, explanation: str) -> None:  # type: ignore[no-untyped-def]
    response = _lang(client_as("manager"), language).post("/indicators/try/", _yield_trial())
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'data-testid="try-value">96\.5<', page)
    assert re.search(r'data-testid="try-score">110\.00<', page)
    assert explanation in page
    assert "<code>sum(good_units)</code>" in page
    assert ">9650<" in page


def test_try_from_the_editor_with_unsaved_changes(world, client_as) -> None:  # type: ignore[no-untyped-def]
    data = {**_new(world), "rule_linear_target": "96", "sample_good_units": "4800 4850",
            "sample_produced_units": "5000 5000"}
    page = client_as("hr").post("/indicators/try/", data).content.decode()
    assert re.search(r'data-testid="try-score">\d+\.\d\d<', page)
    assert not re.search(r'data-testid="try-score">110\.00<', page)  # the page's target, not the stored one


def test_try_a_rated_item(world, client_as) -> None:  # type: ignore[no-untyped-def]
    teamwork = Indicator.objects.get(code="teamwork")
    data = {**_editor_data(world.user("hr"), teamwork), "rating": "4"}
    page = _lang(client_as("employee")).post("/indicators/try/", data).content.decode()
    assert re.search(r'data-testid="try-score">75\.00<', page)
    assert "Steps in without being asked" in page


def test_try_shows_what_is_wrong(client_as) -> None:  # type: ignore[no-untyped-def]
    client = _lang(client_as("manager"))
    page = client.post("/indicators/try/", {**_yield_trial(), "sample_good_units": "lots"}).content.decode()
    assert 'data-testid="try-errors"' in page
    assert "good_units" in page
    page = client.post("/indicators/try/", {**_yield_trial(), "formula": "sum(good_units) /"}).content.decode()
    assert 'data-testid="try-errors"' in page
    assert "column" in page
    assert client_as("anonymous").post("/indicators/try/", _yield_trial()).status_code == 302


def test_the_indicator_page_can_try_its_own_rule(client_as) -> None:  # type: ignore[no-untyped-def]
    """The page's "try it" form posts the version's formula and rule hidden; they must read back."""
    page = client_as("manager").get("/indicators/equipment_utilisation/").content.decode()
    form = page[page.index('data-testid="try-form"'):]
    hidden = dict(re.findall(r'<textarea name="([a-z_]+)" hidden>\n(.*?)</textarea>', form, flags=re.S))
    assert hidden["rule_kind"] == "step"
    data = {name: value.replace("&gt;", ">").replace("&lt;", "<") for name, value in hidden.items()}
    data.update(sample_run_hours="170", sample_planned_hours="200")  # 85 → the 85 band: 100
    result = client_as("manager").post("/indicators/try/", data).content.decode()
    assert re.search(r'data-testid="try-score">100\.00<', result)


def test_indicator_urls_do_not_shadow_the_other_pages_of_the_app() -> None:
    """indicators/urls.py lists the indicator pages first; `<code>/` must not swallow "templates/" & co."""
    from django.urls import resolve

    from fairmark.indicators.views import exchange, indicator_pages, template_pages

    for pattern in [*indicator_pages.urlpatterns, *template_pages.urlpatterns, *exchange.urlpatterns]:
        route = str(pattern.pattern)
        if "<" not in route and pattern.name:
            assert resolve(f"/indicators/{route}").url_name == pattern.name, route
    assert resolve("/indicators/yield_rate/").url_name == "detail"


def test_the_owner_is_set_by_employee_number_and_audited(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    edit = client.get("/indicators/yield_rate/edit/")
    form = edit.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"owner_number": "NOPE", "action": "draft"})
    refused = client.post("/indicators/yield_rate/edit/", data)
    assert refused.status_code == 400
    assert Indicator.objects.get(code="yield_rate").owner is None
    qa_head = world.people["qa_head"]
    data["owner_number"] = qa_head.number
    saved = client.post("/indicators/yield_rate/edit/", data)
    assert saved.status_code == 302
    indicator = Indicator.objects.get(code="yield_rate")
    assert indicator.owner == qa_head
    event = AuditEvent.objects.filter(action="indicator.save", object_id=str(indicator.pk)).latest("seq")
    assert event.after["owner_id"] == qa_head.pk
    page = client.get("/indicators/yield_rate/").content.decode()
    assert qa_head.number in page
