"""Writes of the ingestion app (DESIGN.md §5 rule 1): receiving batches, corrections, sources and metrics."""
