"""Alertmanager-style notification: routing, grouping, silences, inhibition, receivers."""
