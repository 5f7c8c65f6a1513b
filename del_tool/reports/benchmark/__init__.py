"""Units side by side: funnel plots of change and attainment, and the adjusted comparison."""
