"""polymodal's core: domain, services, persistence and the plugin contract (no web, no plugins)."""
