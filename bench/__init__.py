"""Benchmarks of the PDF table readers against public ground truth (not part of the installed package)."""
