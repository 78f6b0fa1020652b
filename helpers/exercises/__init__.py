"""Self-checking exercises: one module of ``check_<name>`` functions per chapter topic."""
