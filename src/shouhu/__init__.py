"""守护 (shouhu): data sharing, comparison and case work for vulnerable children.

Three rings: `shouhu.core` (pure Python domain: identity, policy, catalog), `shouhu.engine`
(set-based batch comparison on DuckDB or Spark) and `shouhu.web` (the Django platform shell).
"""

__version__ = "0.1.0"
