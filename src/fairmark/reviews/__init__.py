"""Review cycles and 360 (DESIGN.md C5). So far only pure rules (issue 6 groundwork): the review workflow table,
360 anonymity, pro rata by days in a position, and when reminders are due. The Django app comes next."""
