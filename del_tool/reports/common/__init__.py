"""What every report reads and shares: periods, scope, queries, frames, scales, the report model."""
