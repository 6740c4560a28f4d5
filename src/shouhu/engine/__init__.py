"""The batch engine: comparisons over whole populations as set-based work (DuckDB, Spark)."""
