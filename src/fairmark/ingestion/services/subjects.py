"""Subjects: resolving codes to ids for a batch (employees by employee number, departments by code, lines,
machines, projects and teams by their Subject code; one query per subject type present), and registering
subjects and the dated mappings that carry their values to people, audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.errors import require
from fairmark.org.models import Department, Employee

from ..models import REGISTERED_SUBJECT_TYPES, Subject, SubjectMapping
from ..selectors import subject_table
from .common import may_configure

_CHUNK = 5_000  # stays under SQLite's variable limit


def resolve_subjects(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(subject type, code) → id for the pairs that exist; unknown pairs are simply absent."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, code in pairs:
        wanted[kind].add(code)
    found: dict[tuple[str, str], int] = {}
    for kind, codes in wanted.items():
        table, field = subject_table(kind)
        ordered = sorted(codes)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            hits = table.filter(**{f"{field}__in": chunk}).values_list(field, "id")
            for code, ident in hits:
                found[(kind, code)] = ident
    return found


@transaction.atomic
def subject_create(*, actor: Any, type: str, code: str, name_zh: str, name_en: str = "",
                   department: Department | None = None) -> Subject:
    may_configure(actor)
    require(type in [t.value for t in REGISTERED_SUBJECT_TYPES], "type", _("Unknown subject type."))
    require(bool(code.strip()), "code", _("This field is required."))
    require(not Subject.objects.filter(type=type, code=code.strip()).exists(), "code",
             _("A subject of this type with this code exists."))
    subject = Subject.objects.create(type=type, code=code.strip(), name_zh=name_zh.strip() or code.strip(),
                                     name_en=name_en.strip(), department=department)
    record(actor=actor, action="ingestion.subject.create", obj=subject,
           after={"type": type, "code": subject.code, "name": subject.name_zh})
    return subject


@transaction.atomic
def subject_mapping_add(*, actor: Any, subject: Subject, employee: Employee, valid_from: date,
                        valid_to: date | None = None, role: str = "") -> SubjectMapping:
    may_configure(actor)
    require(valid_to is None or valid_to >= valid_from, "valid_to", _("The end is before the start."))
    mapping = SubjectMapping.objects.create(subject=subject, employee=employee, valid_from=valid_from,
                                            valid_to=valid_to, role=role)
    record(actor=actor, action="ingestion.subject_mapping.add", obj=mapping,
           after={"subject": subject.code, "employee": employee.number, "valid_from": valid_from.isoformat(),
                  "valid_to": valid_to.isoformat() if valid_to else None, "role": role})
    return mapping


@transaction.atomic
def subject_mapping_end(*, actor: Any, mapping: SubjectMapping, valid_to: date) -> SubjectMapping:
    """The person stops counting for the subject after `valid_to` (moved to another line, left). Mappings are
    ended, not deleted: past values keep reaching the people who were on the line then."""
    may_configure(actor)
    locked = SubjectMapping.objects.select_for_update().get(pk=mapping.pk)
    require(valid_to >= locked.valid_from, "valid_to", _("The end is before the start."))
    before = {"valid_to": locked.valid_to.isoformat() if locked.valid_to else None}
    locked.valid_to = valid_to
    locked.save(update_fields=["valid_to", "updated_at"])
    record(actor=actor, action="ingestion.subject_mapping.end", obj=locked, before=before,
           after={"valid_to": valid_to.isoformat()})
    return locked
