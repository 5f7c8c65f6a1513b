"""Test helpers shared by the suite (databases, factories)."""
