"""Indicators (指标库), the formula language, scoring rules and review templates (考核方案): DESIGN.md C2.

So far this package holds the pure computation modules, which import no Django: `formula.py`,
`scoring.py` and `weighting.py`. Models, services and pages follow."""
