"""The check-in pages and API: the check-in form (key results, confidence on a 1–10 scale, comment, files, a
link, a blocker), the manager's to-do page with its respond forms, closing, the evidence download (scoped,
always an attachment), and /api/v1/goal-checkins/ and /api/v1/goal-blockers/."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fairmark.accounts.models import User
from fairmark.goals.models import Blocker, BlockerStatus, CheckIn, Evidence, Goal
from fairmark.goals.services.checkins import EvidenceIn, checkin_create
from fairmark.notifications.models import Notification
from fairmark.org.models import Employee

from .support import build_goals, build_tree, kpi_goal

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def login_for(world, key: str) -> Client:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username=key, password="x-" + key)
    Employee.objects.filter(pk=world.people[key].pk).update(user=user)
    return signed_in(user)


def checkin_url(goal: Goal) -> str:
    return f"/goals/{goal.pk}/check-in/"


# --- the check-in form ------------------------------------------------------------------------------------------

def test_the_form_shows_the_goal_and_its_key_results(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    checkin_create(actor=world.user("employee"), goal=tree.mine, key_results={kr.pk: "48"}, comment="上周")
    response = client_as("employee").get(checkin_url(tree.mine))
    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("checkin-form", "checkin-blocker", "checkin-submit", "checkin-confidence", "checkin-files",
                   "checkin-link", f"checkin-kr-{kr.pk}", "checkin-item"):
        assert f'data-testid="{testid}"' in html, testid
    assert f'name="kr_{kr.pk}" value="48"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "上周" in html  # the recent check-ins


def test_posting_a_checkin_with_evidence_and_a_blocker(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    response = client_as("employee").post(checkin_url(tree.mine), data={
        f"kr_{kr.pk}": "45", "confidence": "7", "comment": "试行新 SOP",
        "attachments": [SimpleUploadedFile("记录.csv", b"a,b\n1,2\n", content_type="text/csv"),
                  SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff", content_type="image/jpeg")],
        "link": "https://wiki.example.com/smed", "blocker": "三号机设备故障",
    })
    assert response.status_code == 302
    assert f"/goals/{tree.mine.pk}/" in response["Location"]
    checkin = CheckIn.objects.get()
    assert checkin.confidence == Decimal("0.70")
    assert checkin.key_results == {str(kr.pk): "45"}
    assert Goal.objects.get(pk=tree.mine.pk).progress == Decimal("0.5")
    assert sorted(Evidence.objects.values_list("name", "content_type", "size")) == [
        ("https://wiki.example.com/smed", "", 0), ("photo.jpg", "image/jpeg", 3), ("记录.csv", "text/csv", 8)]
    blocker = Blocker.objects.get()
    assert blocker.text == "三号机设备故障"
    assert blocker.assignee_id == world.people["manager"].pk


def test_an_unchanged_key_result_is_no_update(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    checkin_create(actor=world.user("employee"), goal=tree.mine, key_results={kr.pk: "48"})
    response = client_as("employee").post(checkin_url(tree.mine), data={f"kr_{kr.pk}": "48.0", "confidence": ""})
    assert response.status_code == 400
    assert 'data-field-error="comment"' in response.content.decode()
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"comment": "x", "link": "javascript:alert(1)"}, "link"),
    ({"comment": "x", "attachments": [SimpleUploadedFile("fix.bat", b"@echo off")]}, "attachments"),
    ({"comment": "x", "attachments": [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(6)]}, "attachments"),
    ({"kr": "abc"}, "kr"),
])
def test_refusals_come_back_next_to_their_field(world, client_as, data, field: str) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    if "kr" in data:
        data = {f"kr_{kr.pk}": data["kr"]}
        field = f"kr_{kr.pk}"
    response = client_as("employee").post(checkin_url(tree.mine), data=data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="{field}"' in html
    assert 'data-testid="form-errors"' in html
    assert not CheckIn.objects.exists()


def test_a_kpi_goal_form_has_no_key_results(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    response = client_as("employee").get(checkin_url(goal))
    html = response.content.decode()
    assert 'data-testid="checkin-kpi-note"' in html
    assert "checkin-kr-" not in html
    response = client_as("employee").post(checkin_url(goal), data={"comment": "停机", "confidence": "5"})
    assert response.status_code == 302
    assert CheckIn.objects.get().confidence == Decimal("0.50")


def test_the_form_is_404_outside_what_the_viewer_may_write(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    assert client_as("manager").get(checkin_url(tree.other)).status_code == 404  # LINE2: not led
    assert client_as("employee").get(checkin_url(tree.company)).status_code == 404  # read, not written
    assert client_as("hrbp").post(checkin_url(tree.mine), data={"comment": "x"}).status_code == 404
    assert not CheckIn.objects.exists()


# --- the to-do page ---------------------------------------------------------------------------------------------

def _raise(world, tree, text: str = "三号机设备故障"):  # type: ignore[no-untyped-def]
    checkin_create(actor=world.user("employee"), goal=tree.mine, comment="受阻", blocker=text)
    return Blocker.objects.latest("id")


def test_blocker_to_the_managers_todo_respond_and_close(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    blocker = _raise(world, tree)
    manager = client_as("manager")
    page = manager.get("/goals/to-do/").content.decode()
    assert page.count('data-testid="todo-row"') == 1
    assert "三号机设备故障" in page
    assert 'data-testid="blocker-respond-form"' in page
    assert 'data-testid="blocker-respond-submit"' in page
    assert world.people["employee"].name in page
    # the peer and the other line's leader have nothing to answer
    for key in ("peer", "l2_leader"):
        other = login_for(world, key).get("/goals/to-do/").content.decode()
        assert 'data-testid="todo-row"' not in other
        assert 'data-testid="todo-empty"' in other
    # an empty response comes back with the error next to the field
    response = manager.post(f"/goals/blockers/{blocker.pk}/respond/", data={"response": " "})
    assert response.status_code == 400
    assert 'data-field-error="response"' in response.content.decode()
    response = manager.post(f"/goals/blockers/{blocker.pk}/respond/", data={"response": "周三备件到货"})
    assert response.status_code == 302
    assert response["Location"] == "/goals/to-do/"
    assert 'data-testid="todo-row"' not in manager.get("/goals/to-do/").content.decode()
    assert Notification.objects.filter(recipient=world.user("employee"), kind="goal.blocker").count() == 1
    # the raiser sees the answer, and closes it
    mine = client_as("employee").get("/goals/to-do/").content.decode()
    assert 'data-testid="raised-row"' in mine
    assert "周三备件到货" in mine
    assert 'data-testid="blocker-close-submit"' in mine
    response = client_as("employee").post(f"/goals/blockers/{blocker.pk}/close/")
    assert response.status_code == 302
    assert Blocker.objects.get().status == BlockerStatus.CLOSED
    assert 'data-testid="blocker-close-submit"' not in client_as("employee").get("/goals/to-do/").content.decode()


def test_respond_and_close_are_404_for_others(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    blocker = _raise(world, tree)
    peer = login_for(world, "peer")
    assert peer.post(f"/goals/blockers/{blocker.pk}/respond/", data={"response": "x"}).status_code == 404
    assert peer.post(f"/goals/blockers/{blocker.pk}/close/").status_code == 404
    assert client_as("employee").post(f"/goals/blockers/{blocker.pk}/respond/",
                                      data={"response": "x"}).status_code == 404
    assert client_as("manager").get(f"/goals/blockers/{blocker.pk}/respond/").status_code == 405
    assert Blocker.objects.get().status == BlockerStatus.OPEN


def test_the_todo_page_costs_the_same_queries_for_one_or_many_blockers(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    _raise(world, tree)
    manager = client_as("manager")
    manager.get("/goals/to-do/")
    with CaptureQueriesContext(connection) as one:
        manager.get("/goals/to-do/")
    for n in range(4):
        _raise(world, tree, f"问题 {n}")
    with CaptureQueriesContext(connection) as five:
        page = manager.get("/goals/to-do/").content.decode()
    assert page.count('data-testid="todo-row"') == 5
    assert len(five) == len(one)


def test_the_goal_page_include_lists_checkins(world, client_as) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    from fairmark.goals.views.checkin_pages import checkins_for_goal

    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    checkin_create(actor=world.user("employee"), goal=tree.mine, comment="第一周", key_results={kr.pk: "50"},
                   confidence="0.6", evidence=[EvidenceIn(name="a.txt", data=b"a"),
                                               EvidenceIn(link="https://example.com/x", name="看板")],
                   blocker="缺人")
    blocker = Blocker.objects.get()
    from fairmark.goals.services.checkins import blocker_respond

    blocker_respond(actor=world.user("manager"), blocker=blocker, response="下周调人")
    goal = Goal.objects.prefetch_related("key_results").get(pk=tree.mine.pk)
    html = render_to_string("goals/_checkins.html", {"checkins": checkins_for_goal(world.user("manager"), goal),
                                                     "goal": goal})
    for text in ("第一周", kr.title, "50", "0.6", "a.txt", "看板", "缺人", "下周调人", 'data-testid="evidence-file"',
                 'rel="noopener noreferrer nofollow"'):
        assert text in html, text


# --- evidence download ------------------------------------------------------------------------------------------

def test_evidence_download_is_scoped_and_an_attachment(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    checkin_create(actor=world.user("employee"), goal=tree.mine, evidence=[
        EvidenceIn(name="报告.html", content_type="text/html", data=b"<script>alert(1)</script>"),
        EvidenceIn(link="https://example.com/x")])
    file, link = Evidence.objects.order_by("id")
    for role in ("employee", "manager", "head", "hr", "exec", "admin"):
        response = client_as(role).get(f"/goals/evidence/{file.pk}/")
        assert response.status_code == 200, role
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%8A%A5%E5%91%8A.html" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content == b"<script>alert(1)</script>"
    assert client_as("hrbp").get(f"/goals/evidence/{file.pk}/").status_code == 404
    assert login_for(world, "peer").get(f"/goals/evidence/{file.pk}/").status_code == 404
    assert client_as("employee").get(f"/goals/evidence/{link.pk}/").status_code == 404  # a link is no file
    assert client_as("anonymous").get(f"/goals/evidence/{file.pk}/").status_code == 302


# --- API --------------------------------------------------------------------------------------------------------

def test_api_checkin_as_json(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    client = client_as("employee")
    body = {"goal": tree.mine.pk, "comment": "进展", "key_results": {str(kr.pk): 45}, "confidence": 0.8,
            "evidence": [{"link": "https://wiki.example.com/smed", "name": "SMED"}], "blocker": "缺备件"}
    response = client.post("/api/v1/goal-checkins/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["key_results"] == {str(kr.pk): "45"}
    assert Decimal(data["progress_after"]) == Decimal("0.5")
    assert data["evidence"][0]["link"] == "https://wiki.example.com/smed"
    assert data["evidence"][0]["download"] is None
    assert data["blockers"][0]["status"] == "open"
    assert data["blockers"][0]["assignee_number"] == world.people["manager"].number
    listed = client.get(f"/api/v1/goal-checkins/?goal={tree.mine.pk}").json()
    assert [c["id"] for c in listed["results"]] == [data["id"]]
    assert client.get(f"/api/v1/goal-checkins/?goal={tree.other.pk}").json()["results"] == []


def test_api_field_errors_and_scope(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    client = client_as("employee")

    def post(body):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/goal-checkins/", data=json.dumps(body), content_type="application/json")

    response = post({"goal": tree.mine.pk, "key_results": {str(kr.pk): "abc"}, "evidence": [{"link": "ftp://x"}]})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {f"key_results.{kr.pk}", "evidence.0"}
    assert post({"goal": tree.other.pk, "comment": "x"}).status_code == 400  # a goal the employee does not see
    assert post({"goal": tree.company.pk, "comment": "x"}).status_code == 404  # seen, not written
    assert not CheckIn.objects.exists()


def test_api_checkin_with_files_as_multipart(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = tree.mine.key_results.get()
    response = client_as("employee").post("/api/v1/goal-checkins/", data={
        "goal": tree.mine.pk, "comment": "附件", "key_results": json.dumps({str(kr.pk): "30"}),
        "files": [SimpleUploadedFile("a.pdf", b"%PDF-1.7", content_type="application/pdf")],
        "links": ["https://example.com/a"],
    })
    assert response.status_code == 201, response.content
    evidence = response.json()["evidence"]
    assert [(e["name"], e["size"]) for e in evidence] == [("a.pdf", 8), ("https://example.com/a", 0)]
    checkin_id = response.json()["id"]
    download = f"/api/v1/goal-checkins/{checkin_id}/evidence/{evidence[0]['id']}/"
    assert evidence[0]["download"] == download
    file = client_as("manager").get(download)
    assert file.status_code == 200
    assert file.content == b"%PDF-1.7"
    assert file["Content-Type"] == "application/pdf"
    assert file["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert file["X-Content-Type-Options"] == "nosniff"
    assert client_as("hrbp").get(download).status_code == 404
    assert client_as("manager").get(
        f"/api/v1/goal-checkins/{checkin_id}/evidence/{evidence[1]['id']}/").status_code == 404  # a link
    assert Goal.objects.get(pk=tree.mine.pk).progress == Decimal(1)
    bad = client_as("employee").post("/api/v1/goal-checkins/", data={
        "goal": tree.mine.pk, "files": [SimpleUploadedFile("x.js", b"alert(1)")]})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"evidence.0"}


def test_api_blockers_to_answer_respond_and_close(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    blocker = _raise(world, tree)
    manager = client_as("manager")
    todo = manager.get("/api/v1/goal-blockers/?mine=to-answer").json()["results"]
    assert [b["id"] for b in todo] == [blocker.pk]
    assert client_as("employee").get("/api/v1/goal-blockers/?mine=to-answer").json()["results"] == []
    assert [b["id"] for b in client_as("employee").get("/api/v1/goal-blockers/?mine=raised").json()["results"]] == [
        blocker.pk]
    assert client_as("hrbp").get(f"/api/v1/goal-blockers/{blocker.pk}/").status_code == 404
    response = client_as("employee").post(f"/api/v1/goal-blockers/{blocker.pk}/respond/",
                                          data={"response": "x"}, content_type="application/json")
    assert response.status_code == 404
    response = manager.post(f"/api/v1/goal-blockers/{blocker.pk}/respond/", data={"response": ""},
                            content_type="application/json")
    assert response.status_code == 400
    response = manager.post(f"/api/v1/goal-blockers/{blocker.pk}/respond/", data={"response": "已处理"},
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "answered"
    assert manager.get("/api/v1/goal-blockers/?status=answered").json()["results"][0]["response"] == "已处理"
    response = client_as("employee").post(f"/api/v1/goal-blockers/{blocker.pk}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert client_as("employee").post(f"/api/v1/goal-blockers/{blocker.pk}/close/").status_code == 400
