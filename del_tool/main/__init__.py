"""Pages every user shares: home, language switch, health check, errors, layout helpers."""
