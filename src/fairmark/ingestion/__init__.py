"""Data ingestion (DESIGN.md C3): metric values from business systems, validated, with provenance.

So far only the pure modules (no Django): `periods` (period grains), `rows` (decoding and validating pushed
rows) and `quality` (duplicates and conflicts, outliers, completeness). The Django app (metrics, sources,
batches, values, quarantine, connectors, pages, API) comes next."""
