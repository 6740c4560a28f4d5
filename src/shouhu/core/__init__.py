"""The pure-Python domain core: identity, policy, catalog. Imports no web framework, no database."""
