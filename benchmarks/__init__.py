"""Benchmarks: run with `bash scripts/bench.sh` (see the README)."""
