"""Writes to the organisation. Each service is keyword-only, runs in one transaction, checks the
actor's scope before and after, and records an audit event (DESIGN.md §5 rule 1)."""
