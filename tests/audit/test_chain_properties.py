"""Properties of the pure hash chain (fairmark.audit.chain): whatever the records hold, an untouched
chain verifies, and every kind of tampering is caught and located."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from fairmark.audit.chain import GENESIS, HASHED_FIELDS, compute_hash, verify

json_scalars = (
    st.none() | st.booleans() | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
record_fields = st.fixed_dictionaries({
    "at": st.datetimes(timezones=st.just(dt.UTC)).map(lambda t: t.isoformat()),
    "actor_id": st.none() | st.integers(1, 10**9),
    "actor_label": st.text(max_size=12),
    "action": st.text(min_size=1, max_size=20),
    "object_type": st.text(max_size=20),
    "object_id": st.text(max_size=10),
    "object_repr": st.text(max_size=30),
    "scope": st.text(max_size=12),
    "before": json_values,
    "after": json_values,
    "ip": st.none() | st.ip_addresses().map(str),
    "user_agent": st.text(max_size=30),
})
chains = st.lists(record_fields, min_size=1, max_size=12)


def build(fields_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain records the way audit.services.record_many does."""
    records, prev = [], GENESIS
    for seq, fields in enumerate(fields_list, start=1):
        record = {**fields, "seq": seq, "prev_hash": prev}
        record["hash"] = compute_hash(prev, record)
        prev = record["hash"]
        records.append(record)
    return records


def head_of(records: list[dict[str, Any]]) -> tuple[int, str]:
    return (records[-1]["seq"], records[-1]["hash"]) if records else (0, GENESIS)


def same_json(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@given(st.lists(record_fields, max_size=12))
def test_any_sequence_of_records_verifies(fields_list: list[dict[str, Any]]) -> None:
    records = build(fields_list)
    assert verify(records, *head_of(records)) is None


@given(chains, st.data(), st.sampled_from(HASHED_FIELDS), json_values)
def test_changing_any_hashed_field_is_detected_at_that_record(
    fields_list: list[dict[str, Any]], data: st.DataObject, name: str, new_value: Any
) -> None:
    records = build(fields_list)
    head = head_of(records)
    index = data.draw(st.integers(0, len(records) - 1), label="record")
    assume(not same_json(records[index][name], new_value))
    records[index] = {**records[index], name: new_value}
    problem = verify(records, *head)
    assert problem is not None
    assert problem.seq == index + 1
    assert problem.kind == "altered"


@given(chains, st.data(), st.sampled_from(["hash", "prev_hash"]), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_changing_the_stored_hash_or_link_is_detected_at_that_record(
    fields_list: list[dict[str, Any]], data: st.DataObject, name: str, new_value: str
) -> None:
    records = build(fields_list)
    head = head_of(records)
    index = data.draw(st.integers(0, len(records) - 1), label="record")
    assume(records[index][name] != new_value)
    records[index] = {**records[index], name: new_value}
    problem = verify(records, *head)
    assert problem is not None
    assert problem.seq == index + 1


@given(chains, st.data())
def test_deleting_any_record_is_detected_and_located(fields_list: list[dict[str, Any]], data: st.DataObject) -> None:
    records = build(fields_list)
    head = head_of(records)
    index = data.draw(st.integers(0, len(records) - 1), label="deleted")
    deleted_seq = records[index]["seq"]
    del records[index]
    problem = verify(records, *head)
    assert problem is not None
    # The deleted one itself (the brief allows the first after it; the chain names the exact one).
    assert problem.seq == deleted_seq
    assert problem.kind == ("truncated" if deleted_seq == head[0] else "deleted")


@given(chains, st.data())
def test_deleting_a_run_of_records_names_the_first_missing(fields_list: list[dict[str, Any]], data: st.DataObject) -> None:
    records = build(fields_list)
    head = head_of(records)
    start = data.draw(st.integers(0, len(records) - 1), label="start")
    stop = data.draw(st.integers(start + 1, len(records)), label="stop")
    del records[start:stop]
    problem = verify(records, *head)
    assert problem is not None
    assert problem.seq == start + 1


@given(chains, record_fields)
def test_appending_a_record_not_through_the_head_is_detected(
    fields_list: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    """A well-formed record (right seq, right link, right hash) written behind the application's
    back: only the head, which was not moved, can tell."""
    records = build(fields_list)
    head = head_of(records)
    forged = {**extra, "seq": head[0] + 1, "prev_hash": head[1]}
    forged["hash"] = compute_hash(head[1], forged)
    problem = verify([*records, forged], *head)
    assert problem is not None
    assert (problem.seq, problem.kind) == (head[0] + 1, "inserted")


@given(chains, st.data(), record_fields)
def test_replacing_a_record_with_a_forged_one_is_detected(
    fields_list: list[dict[str, Any]], data: st.DataObject, forged_fields: dict[str, Any]
) -> None:
    """The forger rehashes their record but cannot rehash the rest of the chain without the head
    moving: the break shows at the forged record or right after it."""
    records = build(fields_list)
    head = head_of(records)
    index = data.draw(st.integers(0, len(records) - 1), label="record")
    original = records[index]
    forged = {**forged_fields, "seq": original["seq"], "prev_hash": original["prev_hash"]}
    forged["hash"] = compute_hash(forged["prev_hash"], forged)
    assume(forged["hash"] != original["hash"])
    records[index] = forged
    problem = verify(records, *head)
    assert problem is not None
    assert problem.seq in (index + 1, index + 2)


def test_empty_log_verifies_and_missing_records_against_the_head_do_not() -> None:
    assert verify([], 0, GENESIS) is None
    problem = verify([], 3, "f" * 64)
    assert problem is not None
    assert (problem.seq, problem.kind) == (1, "truncated")
