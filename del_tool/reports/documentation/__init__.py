"""The documentation report: goals, baselines, follow-ups on time, overdue lists, completeness."""
