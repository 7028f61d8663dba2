"""Chaos drills: Chaos Toolkit experiments (chaos/experiments/) with Shortlist's own actions, probes and reports."""
