"""Reviewing a human-written postmortem against what ops measured about its incident."""
