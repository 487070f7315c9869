"""Nära: the resident's app for Nära vård."""
