"""Messages to clients and staff: the outbox, its job queue, channels, templates and calendars."""
