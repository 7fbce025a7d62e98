"""The schedule tests use the booking helpers of tests/web/conftest.py (ids, book)."""
