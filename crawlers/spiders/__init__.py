"""crawlers/spiders."""
