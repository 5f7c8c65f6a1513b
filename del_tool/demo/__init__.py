"""Synthetic demo region: a deterministic generator of plausible, entirely fictitious data."""
