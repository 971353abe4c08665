"""Goals (DESIGN.md C4): the company's strategy cascaded to every person, KPI goals computed from data and
OKRs, goal agreement and sign-off, check-ins and blockers, alerts."""
