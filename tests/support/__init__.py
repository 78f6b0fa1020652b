"""Shared machinery of the browser tests and the latency script (not tests themselves)."""
