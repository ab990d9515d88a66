"""Quality and speed benchmarks for the triage intelligence (run as scripts or modules)."""
