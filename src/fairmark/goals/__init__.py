"""Goals (DESIGN.md C4, issue 5). So far only the pure rules: progress rollup by weight, OKR scoring and the
alert life cycle; the Django app (goal tree, agreement, check-ins, pages, API) comes next."""
