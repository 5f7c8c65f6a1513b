"""The learning report (DEL questions 3 and 5): units side by side, trends, themes, cohorts."""
