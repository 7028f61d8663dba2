"""Tests of chaos/."""
