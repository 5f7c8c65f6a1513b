"""The JSON API (/api/v1): bearer tokens, problem details, the OpenAPI description."""
