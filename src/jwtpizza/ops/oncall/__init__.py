"""On-call: schedules, escalation policies, pages and their acknowledgement."""
