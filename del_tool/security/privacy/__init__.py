"""Privacy: right of access (export), anonymisation, retention, pseudonymised analysis data."""
