"""Benchmark: recompute every review of a cycle (services.scoring.recompute_cycle) against the bare I/O it needs.

    .venv/bin/python bench/recompute.py                       # 10,000 reviews of 12 items on SQLite
    .venv/bin/python bench/recompute.py --size 500            # the small size CI runs
    .venv/bin/python bench/recompute.py --profile             # and where recompute's time goes (cProfile, stderr)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fairmark_bench .venv/bin/python bench/recompute.py

The database is the benchmark's own, as in review_launch.py (whose set-up helpers this reuses). --size people
in departments of 50, one published template of --items items: 8 KPI items over 8 daily metrics (avg and sum),
3 rated items (manager 60 / peers 20 / self 20) and one adjustment. Every person has 3 values of every metric
in the quarter; every review has submitted ratings of the rated items by the manager, the person and 3 peers
(enough to show the peer group) and an adjustment. None of that is timed.

Timed, alternately and --repeat times, recompute first (the best of each is reported): `recompute_s`, recompute_cycle end to end;
`io_floor_s`, the same reads and writes with no computation (io_floor below: the queries of scoring.compute /
inputs.gather, then the bulk update of the reviews with the derivation they already hold, so the JSON is the
same size, and the delete + bulk create of as many item scores). `ratio` = recompute_s / io_floor_s, the
target being at most 2: computing should cost no more than moving its data. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_launch import build_cycle, build_indicators, build_org, build_template, database

DAYS = (date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15))
CHUNK = 1000  # scoring.CHUNK
PEERS = 3


def build_data(people: list[Any], data_codes: int) -> int:
    """DAYS values of each metric m0.. for every person, inserted in bulk as one received batch."""
    from django.utils import timezone

    from fairmark.ingestion.models import Batch, Channel, Metric, MetricValue, Source, SubjectType

    source = Source.objects.get(code="mes")
    now = timezone.now()
    batch = Batch.objects.create(source=source, idempotency_key="bench", channel=Channel.API, received_at=now,
                                 content_hash="0" * 64, payload=b"")
    metrics = list(Metric.objects.filter(code__in=[f"m{n}" for n in range(data_codes)]).order_by("code"))
    rows: list[MetricValue] = []
    count = 0
    for person in people:
        for n, metric in enumerate(metrics):
            for day in DAYS:
                period = day.isoformat()
                rows.append(MetricValue(
                    metric=metric, subject_type=SubjectType.EMPLOYEE, subject_id=person.pk, period=period,
                    period_start=day, period_end=day, value=Decimal(80 + (person.pk + n + day.month) % 40),
                    source=source, row_key=f"{metric.code}-{person.number}-{period}", batch=batch, row_index=count,
                    received_at=now))
                count += 1
        if len(rows) >= 20_000:
            MetricValue.objects.bulk_create(rows, batch_size=5000)
            rows = []
    MetricValue.objects.bulk_create(rows, batch_size=5000)
    Batch.objects.filter(pk=batch.pk).update(rows=count, accepted=count)
    return count


def build_reviews(cycle: Any, people: list[Any], rated: list[str]) -> tuple[int, int]:
    """The cycle's reviews as the launch plans them (saved in bulk, not computed), its ratings and adjustments."""
    from fairmark.reviews.models import Adjustment, CycleStatus, Rating, Review
    from fairmark.reviews.services.launch import plan

    planned = plan(cycle, people)
    assert not planned.excluded, planned.excluded
    assert not planned.no_template, planned.no_template
    reviews = Review.objects.bulk_create(planned.reviews, batch_size=CHUNK)
    type(cycle).objects.filter(pk=cycle.pk).update(status=CycleStatus.ACTIVE, launch_total=len(reviews),
                                                   launch_done=len(reviews))
    index = {p.pk: i for i, p in enumerate(people)}
    ratings: list[Rating] = []
    for review in reviews:
        me = index[review.employee_id]
        raters = [(review.employee_id, "self")]
        if review.manager_id:
            raters.append((review.manager_id, "manager"))
        peers = [people[(me + k) % len(people)].pk for k in range(1, PEERS + 2)]
        raters += [(pk, "peer") for pk in peers if pk != review.manager_id][:PEERS]
        for n, item in enumerate(rated):
            for k, (rater, group) in enumerate(raters):
                ratings.append(Rating(review=review, rater_id=rater, group=group, item=item, submitted=True,
                                      rating=Decimal(1 + (me + n + k) % 5), comment=""))
    Rating.objects.bulk_create(ratings, batch_size=5000)
    Adjustment.objects.bulk_create([Adjustment(review=r, item="adjustments.0", points=Decimal(2), reason="带新人",
                                               author_id=r.manager_id) for r in reviews], batch_size=CHUNK)
    return len(reviews), len(ratings)


def io_floor(cycle_id: int) -> int:
    """scoring.recompute_cycle minus the computation: the same reads (reviews by chunk, template specs, points
    reaching each person per data indicator, submitted ratings, adjustments) and the same writes in bulk (the
    reviews' totals and derivation, the delete + create of their item scores), with placeholder results."""
    from django.db import transaction
    from django.utils import timezone

    from fairmark.ingestion.selectors import points_reaching
    from fairmark.reviews.computation import item_key
    from fairmark.reviews.models import Adjustment, ItemScore, Rating, Review, ReviewState
    from fairmark.reviews.services.inputs import data_codes, parts_of, template_specs

    ids = sorted(set(Review.objects.filter(cycle_id=cycle_id).values_list("pk", flat=True)))
    placeholder = Decimal("80.00")
    # One stored derivation as the JSON every review gets (the recompute does not read the old ones either).
    sample = Review.objects.filter(cycle_id=cycle_id, total__isnull=False).values_list("derivation", flat=True).first()
    done = 0
    for start in range(0, len(ids), CHUNK):
        reviews = list(Review.objects.filter(pk__in=ids[start:start + CHUNK]).exclude(state=ReviewState.VOIDED)
                       .select_related("cycle").defer("derivation"))
        parts = {review.pk: parts_of(review) for review in reviews}
        specs = template_specs({part.template_id for review in reviews for part in parts[review.pk]})
        windows: dict[str, dict[tuple[int, int], tuple[int, date, date]]] = defaultdict(dict)
        metrics: dict[str, list[str]] = {}
        for review in reviews:
            for part in parts[review.pk]:
                spec = specs[part.template_id]
                for code in data_codes(spec):
                    metrics[code] = spec.indicators[code]["metrics"]
                    windows[code][(review.pk, part.key)] = (review.employee_id, part.start, part.end)
        read = sum(len(points_reaching(found, metrics[code])) for code, found in windows.items())
        read += len(list(Rating.objects.filter(review__in=[r.pk for r in reviews], submitted=True,
                                               rating__isnull=False)
                         .values_list("review_id", "rater_id", "group", "item", "rating", "comment")))
        read += len(list(Adjustment.objects.filter(review__in=[r.pk for r in reviews])
                         .values_list("review_id", "item", "points", "reason")))
        assert read
        now = timezone.now()
        scores: list[ItemScore] = []
        for review in reviews:
            review.total = review.subtotal = placeholder
            review.forced_grade = ""
            review.derivation = sample  # what a recompute stores: the same size of JSON
            review.computed_at = now
            for part in parts[review.pk]:
                for section in specs[part.template_id].sections:
                    for index, item in enumerate(section.get("items", [])):
                        if item["kind"] in ("adjustment", "veto"):
                            continue  # they move the total; computation.py gives them no item score
                        scores.append(ItemScore(review=review, part=part.key, section=section["key"],
                                                item=item_key(section, index, item), kind=item["kind"],
                                                weight=Decimal(str(item.get("weight", "0"))), score=placeholder,
                                                value=placeholder if item["kind"] == "indicator" else None))
        with transaction.atomic():
            Review.objects.bulk_update(reviews, ["total", "forced_grade", "subtotal", "derivation", "computed_at"],
                                       batch_size=CHUNK)
            ItemScore.objects.filter(review__in=[r.pk for r in reviews]).delete()
            ItemScore.objects.bulk_create(scores, batch_size=CHUNK)
        done += len(reviews)
    return done


def timed(function: Any, cycle_id: int) -> float:
    start = time.perf_counter()
    function(cycle_id)
    return time.perf_counter() - start


def run(size: int, items: int, repeat: int, profile: bool, database_kind: str) -> dict[str, Any]:
    from fairmark.reviews.models import ItemScore, Review
    from fairmark.reviews.services.scoring import recompute_cycle

    data_count, rated_count = items - 4, 3  # 8 KPI items, 3 rated, one adjustment
    org = build_org(size)
    data, rated = build_indicators(data_count, rated_count)
    build_template("everyone", ["OP", "LL"], data, rated, adjustment=True)
    cycle = build_cycle(org)
    values = build_data(org["people"], data_count)
    reviews, ratings = build_reviews(cycle, org["people"], rated)

    recompute, floor = [timed(recompute_cycle, cycle.pk)], []
    scored = Review.objects.filter(cycle=cycle, total__isnull=False).count()  # the real results, checked once
    per_review = ItemScore.objects.filter(review__cycle=cycle).count() / max(reviews, 1)
    for run_number in range(repeat):
        floor.append(timed(io_floor, cycle.pk))  # always after a recompute: it rewrites the derivation it stored
        if run_number < repeat - 1:
            recompute.append(timed(recompute_cycle, cycle.pk))
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(recompute_cycle, cycle.pk)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    best, bare = min(recompute), min(floor)
    details = {"bench": "recompute", "reviews": reviews, "metric_values": values, "ratings": ratings,
               "item_scores_per_review": per_review, "recompute_runs_s": [round(s, 2) for s in recompute],
               "io_floor_runs_s": [round(s, 2) for s in floor], "database": database_kind, "cpus": os.cpu_count(),
               "python": platform.python_version(), "ok": scored == reviews == size and per_review == items - 1}
    return {"people": size, "items": items, "recompute_s": round(best, 2), "io_floor_s": round(bare, 2),
            "ratio": round(best / bare, 2), "details": details}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="reviews in the cycle (CI: 500)")
    parser.add_argument("--items", type=int, default=12, help="items of the template (8 KPI, 3 rated, 1 adjustment"
                                                               " at 12; more or fewer KPI items otherwise)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each")
    parser.add_argument("--profile", action="store_true", help="profile one more recompute (stderr)")
    args = parser.parse_args()
    if args.items < 5:
        parser.error("--items must be at least 5 (one KPI item, 3 rated items, one adjustment)")
    with database("_recompute") as kind:
        figures = run(args.size, args.items, args.repeat, args.profile, kind)
    details = figures.pop("details")
    print(json.dumps(details))
    print(json.dumps(figures))
    return 0 if details["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
