"""Browser journeys through all roles; the browser fixtures live in tests/conftest.py."""
