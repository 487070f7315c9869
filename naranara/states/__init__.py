"""Reflex states: thin. They ask the policy, call services and hold what the page shows."""
