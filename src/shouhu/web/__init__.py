"""The platform shell (Django): accounts, records, access, audit, UI and HTTP API."""
