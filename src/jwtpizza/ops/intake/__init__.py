"""Intake from a real Alertmanager: its webhook payload feeds the same paging."""
