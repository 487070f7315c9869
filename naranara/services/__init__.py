"""Domain services: plain Python over SQLModel sessions. Nothing here imports Reflex."""
