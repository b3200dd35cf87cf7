"""Decor8 AI contract tests."""
