"""Fuzzing the input readers: mutations of the fixtures (``mutations``) and a runner (``run``)."""
