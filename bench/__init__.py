"""Benchmarks that print tables against the budgets (not timed tests): tick cost, import, latency, requests, uploads, memory, start-up."""
