"""Reusable page parts. They take values or Vars and read only SessionState."""
