"""Writes on goals (DESIGN.md rules of the house: keyword-only, one transaction, checked, audited):
tree (create, edit, move, archive), progress (stored progress and its rollup), kpi_data (KPI goals from
ingested data)."""
