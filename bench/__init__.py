"""The benchmark suite behind `make bench` (see bench/__main__.py)."""
