"""The three demo portals: data (YAML), layouts (Jinja2) and the code that renders them for a base URL."""
