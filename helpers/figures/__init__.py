"""Drawings and interactive figures, one module per chapter topic."""
