"""Benchmarks of pytest-ec2image side by side with moto; run ``python -m benchmarks``."""
