"""HR's Excel import of 360 raters: real .xlsx files built with openpyxl, the report row by row (good rows,
every kind of bad row, Chinese group names, numbers typed as numbers), the maximum per group, the all-or-nothing
commit through the page (raters approved, audited per review, told), a second upload skipping what is done, a
check again at commit time, and the empty workbook."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from fairmark.audit.models import AuditEvent
from fairmark.notifications.models import Notification
from fairmark.org.models import Employee
from fairmark.reviews.models import Cycle, Rater, RaterStatus, Review, ReviewState
from fairmark.reviews.services import rater_import

from .support import build_reviews, ensure_user, launch, make_cycle

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HEADER = ("被评人工号 / Ratee number", "评价人工号 / Rater number", "评价关系 / Group")
GOOD = [("E0004", "E0005", "peer"), ("E0004", "E0012", "同级"), ("E0004", "E0013", "Peer"),
        ("E0005", 20001, "其他")]


def xlsx(rows: list[tuple[Any, ...]], header: tuple[str, ...] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("raters.xlsx", xlsx(rows))}


def _setup(world, capture) -> Cycle:  # type: ignore[no-untyped-def]
    build_reviews(world)
    base = world.people["employee"]
    Employee.objects.create(number="20001", name="数字工号", company=world.company, department=base.department,
                            manager=base.manager, hire_date=date(2026, 3, 20))  # hired too late for a review
    return launch(world, make_cycle(world, departments=("LINE1", "LINE2")), capture)


def _report(cycle: Cycle, rows: list[tuple[Any, ...]]) -> dict[int, tuple[str, str]]:
    report = rater_import.check_rows(cycle, rater_import.read_rows(xlsx(rows), "raters.xlsx"))
    return {row.row: (row.status, " | ".join(row.messages)) for row in report.rows}


def test_the_report_says_row_by_row_what_is_wrong(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _setup(world, django_capture_on_commit_callbacks)
    bad = [("X999", "E0005", "peer"), ("E0008", "E0005", "peer"), ("E0004", "X888", "peer"),
           ("E0004", "E0004", "peer"), ("E0004", "E0003", "peer"), ("E0004", "E0014", "老板"),
           ("E0004", "E0014", "下级"), ("E0004", "E0005", "同级"), ("E0003", "E0004", "其他"), ("", "E0005", "")]
    with translation_en():
        report = _report(cycle, GOOD + bad)
    assert [report[n][0] for n in (2, 3, 4, 5)] == ["ok"] * 4  # spreadsheet rows: the header is row 1
    expected = {
        6: "Unknown ratee number", 7: "no review in this cycle", 8: "Unknown rater number", 9: "the ratee",
        10: "reviewing manager", 11: "Unknown group", 12: "no “Subordinates” rater group", 13: "as row 2",
        14: "no “Others” rater group", 15: "ratee's employee number is missing",
    }
    for row, words in expected.items():
        assert report[row][0] == "error", (row, report[row])
        assert words in report[row][1], (row, report[row])
    assert "Unknown group" in report[15][1]  # every reason of a row is listed
    assert not Rater.objects.exists()


def test_over_the_maximum_per_group_is_an_error(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _setup(world, django_capture_on_commit_callbacks)
    Cycle.objects.filter(pk=cycle.pk).update(raters_max=2)
    cycle.refresh_from_db()
    with translation_en():
        report = _report(cycle, [("E0005", "E0004", "peer"), ("E0005", "E0012", "peer"), ("E0005", "E0013", "同级"),
                                 ("E0005", "E0014", "others")])
    assert [report[n][0] for n in (2, 3, 4, 5)] == ["ok", "ok", "error", "ok"]
    assert "maximum of 2" in report[4][1]


def test_hr_imports_through_the_page_and_a_second_upload_adds_nobody(world, client_as,
                                                                     django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _setup(world, django_capture_on_commit_callbacks)
    peer_user = ensure_user(world, "peer")
    client = client_as("hr")
    url = f"/reviews/cycles/{cycle.pk}/raters/import/"
    assert client.get(url).status_code == 200
    preview = client.post(url, upload(GOOD), **EN)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert body.count('data-status="ok"') == 4
    assert 'data-testid="commit-raters"' in body
    assert not Rater.objects.exists()  # a preview adds nobody
    payload = preview.context["payload"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"payload": payload}, **EN)
    assert done.status_code == 200
    assert done.context["report"].committed
    raters = {(r.review.employee.number, r.rater.number, r.group): r.status
              for r in Rater.objects.select_related("review__employee", "rater")}
    assert raters == {("E0004", "E0005", "peer"): RaterStatus.APPROVED, ("E0004", "E0012", "peer"): RaterStatus.APPROVED,
                      ("E0004", "E0013", "peer"): RaterStatus.APPROVED, ("E0005", "20001", "others"): RaterStatus.APPROVED}
    imports = AuditEvent.objects.filter(action="review.rater.import")
    assert sorted(int(e.object_id) for e in imports) == sorted(
        Review.objects.filter(cycle=cycle, employee__number__in=["E0004", "E0005"]).values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="review.rater.nominate").count() == 4
    assert Notification.objects.filter(recipient=peer_user).count() == 1
    again = client.post(url, upload(GOOD), **EN)
    assert again.content.decode().count('data-status="skipped"') == 4
    assert 'data-testid="commit-raters"' not in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"payload": again.context["payload"]})
    assert Rater.objects.count() == 4


def test_a_file_with_errors_adds_nobody(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _setup(world, django_capture_on_commit_callbacks)
    client = client_as("hr")
    url = f"/reviews/cycles/{cycle.pk}/raters/import/"
    preview = client.post(url, upload([*GOOD, ("E0004", "X888", "peer")]), **EN)
    body = preview.content.decode()
    assert 'data-row="6" data-status="error"' in body
    assert 'data-testid="commit-raters"' not in body
    assert 'data-testid="import-has-errors"' in body
    response = client.post(url, {"payload": preview.context["payload"]})
    assert response.status_code == 400
    assert not Rater.objects.exists()


def test_the_commit_checks_again(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _setup(world, django_capture_on_commit_callbacks)
    client = client_as("hr")
    url = f"/reviews/cycles/{cycle.pk}/raters/import/"
    preview = client.post(url, upload(GOOD))
    Review.objects.filter(cycle=cycle, employee=world.people["employee"]).update(state=ReviewState.MANAGER_REVIEW)
    response = client.post(url, {"payload": preview.context["payload"]}, **EN)
    assert response.status_code == 400
    assert "360 round is over" in response.content.decode()
    assert not Rater.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="review.rater").exists()
    forged = client.post(url, {"payload": preview.context["payload"][:-3] + "abc"})
    assert forged.status_code == 400


def test_a_file_without_the_columns_is_refused(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _setup(world, django_capture_on_commit_callbacks)
    data = {"file": SimpleUploadedFile("x.xlsx", xlsx([("E0004", "E0005")], header=("工号", "评价人工号")))}
    response = client_as("hr").post(f"/reviews/cycles/{cycle.pk}/raters/import/", data, **EN)
    assert response.status_code == 400
    assert "missing" in response.content.decode()


def test_the_empty_workbook_has_the_headers(world, client_as) -> None:  # type: ignore[no-untyped-def]
    cycle = make_cycle(world)
    response = client_as("hr").get(f"/reviews/cycles/{cycle.pk}/raters/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert tuple(c.value for c in sheet[1]) == HEADER
    assert rater_import.read_rows(response.content) == []


def translation_en():  # type: ignore[no-untyped-def]
    from django.utils import translation

    return translation.override("en")
