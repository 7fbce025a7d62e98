"""polymodal's browser app: Litestar controllers and Jinja templates over the core's services."""
