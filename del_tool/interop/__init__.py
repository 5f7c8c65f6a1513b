"""Exchange with outside systems in their own formats (FHIR bundles shaped as KL's FFB)."""
