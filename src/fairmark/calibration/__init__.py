"""Calibration against score inflation (DESIGN.md C6): grade schemes, suggested grades under quotas, leniency
normalisation. So far the pure modules (issue 7 groundwork); the Django app comes next."""
