"""The API of the indicator library and the templates: create and validate with problem+json errors, versions,
conflicts, the "try it" endpoint, scope (employees read what applies, HR edits) and token scopes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.test import Client

from fairmark.accounts import services as account_services
from fairmark.indicators.models import Indicator, Template, VersionStatus
from tests.indicators import definitions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]

YIELD: dict[str, Any] = {**definitions.YIELD, "note": ""}


def template_body(first: str = "30", second: str = "70", **extra: Any) -> dict[str, Any]:
    return {**definitions.two_sections(first, second), **extra}


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def put(client: Client, url: str, body: Any) -> Any:
    return client.put(url, data=json.dumps(body), content_type="application/json")


def field_errors(response: Any) -> dict[str, list[str]]:
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"]: error["messages"] for error in response.json().get("errors", [])}


# --- indicators: create and validate ------------------------------------------------------------------------


def test_create_an_indicator(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("hr"), "/api/v1/indicators/", {"code": "line1_yield", "owner_department": None, **YIELD})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "line1_yield"
    assert (body["head_version"], body["published_version"], body["status"], body["editable"]) == (1, None, "draft", True)
    assert body["version"]["formula"] == YIELD["formula"]
    assert [metric["code"] for metric in body["version"]["metrics"]] == ["good_units", "produced_units"]
    assert body["version"]["metrics"][0]["name_zh"] == "良品数"  # named from the library's description
    assert Indicator.objects.get(code="line1_yield").head.status == VersionStatus.DRAFT


def test_create_and_publish_at_once(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("hr"), "/api/v1/indicators/", {"code": "line1_yield", "publish": True, **YIELD})
    assert response.status_code == 201
    assert (response.json()["published_version"], response.json()["status"]) == (1, "published")


def test_a_bad_indicator_is_a_problem_with_field_errors(client_as) -> None:  # type: ignore[no-untyped-def]
    body = {**YIELD, "code": "Bad Code", "formula": "sum(good_units) / / 2",
            "scoring": {"kind": "linear", "params": {"threshold": "90", "target": "abc", "stretch": "98",
                                                     "direction": "higher"}}}
    response = post(client_as("hr"), "/api/v1/indicators/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    problem = response.json()
    assert problem["status"] == 400
    assert problem["type"].startswith("https://fairmark.dev/problems/")
    errors = field_errors(response)
    assert {"code", "formula", "scoring.target"} <= set(errors)
    assert errors["formula"] == ["Unexpected '/' at column 19."]
    assert problem["formula_error"]["column"] == 19
    assert problem["formula_error"]["code"] == "unexpected_token"
    assert not Indicator.objects.filter(code="Bad Code").exists()


def test_formula_errors_follow_the_language(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("hr"), "/api/v1/indicators/", {**YIELD, "code": "x1", "formula": "sum(good_units"},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "第 4 列" in field_errors(response)["formula"][0]


def test_a_malformed_body_is_a_problem_too(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("hr"), "/api/v1/indicators/", {"name_zh": "x", "metrics": "not a list"})
    assert response.status_code == 400
    assert {"code", "metrics"} <= set(field_errors(response))


def test_a_taken_code(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("hr"), "/api/v1/indicators/", {"code": "yield_rate", **YIELD})
    assert response.status_code == 400
    assert "code" in field_errors(response)


def test_validate_an_indicator_without_saving(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("manager")
    count = Indicator.objects.count()
    response = post(client, "/api/v1/indicators/validate", YIELD)
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert [m["code"] for m in response.json()["metrics"]] == ["good_units", "produced_units"]
    bad = post(client, "/api/v1/indicators/validate", {**YIELD, "formula": "sum(good_units) % 2"})
    assert bad.status_code == 400
    assert bad.json()["formula_error"]["column"] == 17
    assert "formula" in field_errors(bad)
    assert Indicator.objects.count() == count


# --- indicators: versions and conflicts ---------------------------------------------------------------------


def test_saving_a_published_indicator_opens_a_new_draft_version(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    before = client.get("/api/v1/indicators/yield_rate/").json()
    assert (before["head_version"], before["published_version"], before["status"]) == (1, 1, "published")
    changed = {**before["version"], "scoring": {"kind": "linear", "params": {
        "threshold": "91", "target": "95", "stretch": "98", "direction": "higher"}}, "note": "tighter threshold"}
    response = put(client, "/api/v1/indicators/yield_rate/", {**changed, "base_version": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["head_version"], body["published_version"], body["status"]) == (2, 1, "draft")
    assert body["version"]["scoring"]["params"]["threshold"] == "91"
    # a reader still sees the published definition
    manager = client_as("manager").get("/api/v1/indicators/yield_rate/").json()
    assert manager["version"]["number"] == 1
    assert manager["version"]["scoring"]["params"]["threshold"] == "90"
    # saving again goes into the same draft
    again = put(client, "/api/v1/indicators/yield_rate/", {**changed, "note": "again", "base_version": 2})
    assert again.json()["head_version"] == 2


def test_a_stale_base_version_is_a_conflict(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    definition = client.get("/api/v1/indicators/yield_rate/").json()["version"]
    assert put(client, "/api/v1/indicators/yield_rate/", {**definition, "base_version": 1}).status_code == 200
    stale = put(client, "/api/v1/indicators/yield_rate/", {**definition, "note": "mine", "base_version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert stale["Content-Type"] == "application/problem+json"


def test_publish_discard_retire_and_versions(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    definition = client.get("/api/v1/indicators/yield_rate/").json()["version"]
    put(client, "/api/v1/indicators/yield_rate/", {**definition, "note": "v2"})
    published = client.post("/api/v1/indicators/yield_rate/publish/")
    assert published.status_code == 200
    assert (published.json()["head_version"], published.json()["published_version"]) == (2, 2)
    nothing = client.post("/api/v1/indicators/yield_rate/publish/")
    assert nothing.status_code == 400
    versions = client.get("/api/v1/indicators/yield_rate/versions/").json()
    assert [(v["number"], v["status"]) for v in versions] == [(2, "published"), (1, "superseded")]
    assert client.get("/api/v1/indicators/yield_rate/versions/1/").json()["status"] == "superseded"
    assert client.get("/api/v1/indicators/yield_rate/versions/9/").status_code == 404

    put(client, "/api/v1/indicators/yield_rate/", {**definition, "note": "v3"})
    discarded = client.post("/api/v1/indicators/yield_rate/discard/")
    assert discarded.status_code == 200
    assert discarded.json()["head_version"] == 2

    retired = post(client, "/api/v1/indicators/yield_rate/retire/", {"retired": True})
    assert (retired.status_code, retired.json()["status"]) == (200, "retired")
    assert client.get("/api/v1/indicators/?status=retired").json()["count"] == 1
    restored = post(client, "/api/v1/indicators/yield_rate/retire/", {"retired": False})
    assert restored.json()["retired"] is False


def test_list_filters(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("manager")
    everything = client.get("/api/v1/indicators/?page_size=500").json()
    assert everything["count"] == 70
    assert {row["code"] for row in client.get("/api/v1/indicators/?q=yield").json()["results"]} >= {"yield_rate"}
    assert client.get("/api/v1/indicators/?q=良品率").json()["count"] >= 1
    behaviour = client.get("/api/v1/indicators/?category=behaviour&page_size=500").json()["results"]
    assert behaviour
    assert all(row["version"]["category"] == "behaviour" for row in behaviour)
    assert client.get("/api/v1/indicators/?status=draft").json()["count"] == 0
    assert client.get("/api/v1/indicators/?category=nonsense").status_code == 400


# --- try ------------------------------------------------------------------------------------------------------


def test_try_the_yield_formula(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("manager"), "/api/v1/indicators/try", {
        "formula": YIELD["formula"], "aggregation": "ratio_of_sums", "scoring": YIELD["scoring"],
        "samples": {"good_units": [4800, 4850], "produced_units": "5000 5000"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] == "96.5"
    assert body["score"]["value"] == "110.00"
    assert body["explanation"]
    assert body["terms"][-1]["value"] == 96.5


def test_try_a_rated_item_and_errors(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    from fairmark.indicators import library

    rating = library.indicators_by_code()["teamwork"]["scoring"]
    rated = post(client, "/api/v1/indicators/try", {"formula": "", "scoring": rating, "rating": "4"})
    assert rated.status_code == 200, rated.content
    assert (rated.json()["value"], rated.json()["score"]["value"]) == ("4", "75.00")
    broken = post(client, "/api/v1/indicators/try", {"formula": "sum(good_units) +", "scoring": YIELD["scoring"],
                                                      "samples": {}})
    assert broken.status_code == 400
    assert "formula" in field_errors(broken)
    assert broken.json()["formula_error"]["code"] == "unexpected_end"
    samples = post(client, "/api/v1/indicators/try", {"formula": YIELD["formula"], "scoring": YIELD["scoring"],
                                                      "samples": {"good_units": "a b", "produced_units": "1"}})
    assert samples.status_code == 400
    assert "samples.good_units" in field_errors(samples)


# --- templates ------------------------------------------------------------------------------------------------


def test_template_weights_must_add_up(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    bad = post(client, "/api/v1/templates/", {"code": "line1_operator", **template_body("30", "69.99")},
               HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    errors = field_errors(bad)
    assert errors["sections"][0].startswith("The weights add up to 99.99 %, not 100 %")
    assert not Template.objects.filter(code="line1_operator").exists()
    good = post(client, "/api/v1/templates/", {"code": "line1_operator", **template_body("30", "70")})
    assert good.status_code == 201, good.content
    body = good.json()
    assert (body["code"], body["head_version"], body["status"]) == ("line1_operator", 1, "draft")
    assert body["version"]["sections"][0]["items"][0] == {"kind": "indicator", "indicator": "yield_rate", "weight": "60"}


def test_item_errors_are_keyed_by_path(client_as) -> None:  # type: ignore[no-untyped-def]
    body = template_body()
    body["sections"][0]["items"][1]["weight"] = "abc"
    body["sections"][1]["items"][0]["indicator"] = "no_such_indicator"
    response = post(client_as("hr"), "/api/v1/templates/validate", body)
    assert response.status_code == 400
    assert {"sections.0.items", "sections.1.items.0.indicator"} <= set(field_errors(response))


def test_validate_a_template(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("head"), "/api/v1/templates/validate", template_body())
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert response.json()["definition"]["applies_to"]["positions"] == ["OP"]
    assert post(client_as("head"), "/api/v1/templates/validate", template_body("30", "69.99")).status_code == 400


def test_template_versions_publish_and_conflict(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    shipped = client.get("/api/v1/templates/production_operator/").json()
    definition = {key: shipped["version"][key] for key in ("name_zh", "name_en", "period", "missing_rule",
                                                           "applies_to", "sections", "note")}
    for section in definition["sections"]:
        for item in section["items"]:
            item.pop("indicator_version", None)
    saved = put(client, "/api/v1/templates/production_operator/", {**definition, "base_version": 1})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["head_version"], saved.json()["published_version"]) == (2, 1)
    assert put(client, "/api/v1/templates/production_operator/", {**definition, "base_version": 1}).status_code == 409
    published = client.post("/api/v1/templates/production_operator/publish/").json()
    assert published["published_version"] == 2
    assert published["version"]["sections"][0]["items"][0]["indicator_version"] == 1
    versions = client.get("/api/v1/templates/production_operator/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert client.get("/api/v1/templates/production_operator/versions/1/").json()["status"] == "superseded"
    archived = post(client, "/api/v1/templates/production_operator/archive/", {"archived": True}).json()
    assert archived["status"] == "archived"


def test_duplicate_a_template(client_as) -> None:  # type: ignore[no-untyped-def]
    response = post(client_as("hrbp"), "/api/v1/templates/production_operator/duplicate/",
                    {"code": "qa_operator", "name_zh": "品质操作工", "owner_department": "QA"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["owner_department"], body["head_version"], body["editable"]) == (
        "qa_operator", "QA", 1, True)
    assert body["version"]["name_zh"] == "品质操作工"
    assert all("indicator_version" not in item for section in body["version"]["sections"] for item in section["items"])
    taken = post(client_as("hr"), "/api/v1/templates/production_operator/duplicate/", {"code": "qa_operator"})
    assert taken.status_code == 400
    assert "code" in field_errors(taken)


# --- scope ----------------------------------------------------------------------------------------------------


def test_an_employee_reads_only_what_applies(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("employee")
    assert client.get("/api/v1/indicators/yield_rate/").status_code == 404
    assert client.get("/api/v1/indicators/").json()["count"] == 0
    assert client.get("/api/v1/templates/production_operator/").status_code == 404
    assert client.get("/api/v1/templates/").json()["count"] == 0
    assert put(client, "/api/v1/indicators/yield_rate/", YIELD).status_code == 404
    assert post(client, "/api/v1/indicators/validate", YIELD).status_code == 403


def test_an_employee_reads_the_published_template_that_applies_and_its_indicators(world, client_as) -> None:  # type: ignore[no-untyped-def]
    hr = client_as("hr")
    assert post(hr, "/api/v1/templates/", {"code": "line1_operator", "publish": True, **template_body()}).status_code == 201
    client = client_as("employee")
    template = client.get("/api/v1/templates/line1_operator/")
    assert template.status_code == 200
    assert template.json()["editable"] is False
    assert client.get("/api/v1/indicators/yield_rate/").status_code == 200
    assert {row["code"] for row in client.get("/api/v1/indicators/").json()["results"]} == {
        "yield_rate", "output", "teamwork"}
    assert client.post("/api/v1/templates/line1_operator/publish/").status_code == 403


def test_a_manager_reads_but_does_not_write(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("manager")
    response = client.get("/api/v1/indicators/yield_rate/")
    assert response.status_code == 200
    assert response.json()["editable"] is False
    assert put(client, "/api/v1/indicators/yield_rate/", YIELD).status_code == 403
    assert post(client, "/api/v1/indicators/", {"code": "mine", **YIELD}).status_code == 403
    assert client.post("/api/v1/templates/production_operator/publish/").status_code == 403
    assert post(client, "/api/v1/templates/production_operator/duplicate/", {"code": "mine"}).status_code == 403


def test_an_hr_bp_changes_only_what_their_units_own(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hrbp")
    assert client.get("/api/v1/indicators/yield_rate/").json()["editable"] is False
    assert put(client, "/api/v1/indicators/yield_rate/", YIELD).status_code == 403
    assert post(client, "/api/v1/indicators/yield_rate/retire/", {"retired": True}).status_code == 403
    company_wide = post(client, "/api/v1/indicators/", {"code": "qa_yield", **YIELD})
    assert company_wide.status_code == 400
    assert "owner_department" in field_errors(company_wide)
    elsewhere = post(client, "/api/v1/indicators/", {"code": "qa_yield", "owner_department": "LINE1", **YIELD})
    assert elsewhere.status_code == 400
    unknown = post(client, "/api/v1/indicators/", {"code": "qa_yield", "owner_department": "NOPE", **YIELD})
    assert unknown.status_code == 400
    created = post(client, "/api/v1/indicators/", {"code": "qa_yield", "owner_department": "QA", **YIELD})
    assert created.status_code == 201
    assert (created.json()["owner_department"], created.json()["editable"]) == ("QA", True)
    changed = put(client, "/api/v1/indicators/qa_yield/", {**YIELD, "name_zh": "品质良品率", "base_version": 1})
    assert changed.status_code == 200
    assert client.post("/api/v1/indicators/qa_yield/publish/").status_code == 200
    template = post(client, "/api/v1/templates/", {"code": "qa_template", "owner_department": "QA", **template_body()})
    assert template.status_code == 201


# --- tokens ---------------------------------------------------------------------------------------------------


def test_a_read_only_token_reads_but_cannot_write(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    _row, read_only = account_services.token_create(actor=hr, user=hr, name="reader", scopes=["read"])
    _row, writer = account_services.token_create(actor=hr, user=hr, name="writer", scopes=["read", "write"])
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {read_only}"}
    assert client.get("/api/v1/indicators/yield_rate/", **bearer).status_code == 200
    refused = post(client, "/api/v1/indicators/", {"code": "by_token", **YIELD}, **bearer)
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert client.post("/api/v1/templates/production_operator/archive/", **bearer).status_code == 403
    assert post(client, "/api/v1/indicators/validate", YIELD, **bearer).status_code == 200  # writes nothing
    assert not Indicator.objects.filter(code="by_token").exists()
    created = post(client, "/api/v1/indicators/", {"code": "by_token", **YIELD},
                   HTTP_AUTHORIZATION=f"Bearer {writer}")
    assert created.status_code == 201


def test_anonymous_callers_get_401(client_as) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/v1/indicators/").status_code == 401
    assert post(Client(), "/api/v1/indicators/try", {}).status_code == 401


def test_the_schema_lists_the_endpoints() -> None:
    import yaml
    from openapi_spec_validator import validate

    spec = yaml.safe_load(Client().get("/api/schema/").content)
    validate(spec)
    for route in ("/api/v1/indicators/", "/api/v1/indicators/{code}/", "/api/v1/indicators/{code}/publish/",
                  "/api/v1/indicators/{code}/versions/{number}/", "/api/v1/indicators/validate",
                  "/api/v1/indicators/try", "/api/v1/templates/{code}/duplicate/", "/api/v1/templates/validate"):
        assert route in spec["paths"], route


def test_definitions_are_not_shared_between_requests(client_as) -> None:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(template_body())
    post(client_as("hr"), "/api/v1/templates/validate", body)
    assert body == template_body()
