"""Administration: users and roles, units and their questionnaires, tariffs."""
