"""The effect report (DEL question 1): paired and reliable change, trajectories, goal attainment."""
