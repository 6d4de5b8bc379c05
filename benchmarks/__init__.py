"""Benchmarks: measured side by side with a baseline in the same run; JSON output. Not tests."""
