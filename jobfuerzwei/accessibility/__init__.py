"""The accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0) and its feedback form."""
