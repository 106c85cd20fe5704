"""Sourced default values for the economic models (every value carries its source and date)."""
