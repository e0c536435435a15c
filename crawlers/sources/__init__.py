"""The source registry: shipped portal definitions (the YAML files here) and the loader."""

from crawlers.sources.registry import (
    SourceDefinition,
    SourceError,
    SourceSet,
    load_source_file,
    load_sources,
    name_from_url,
    source_from_url,
    source_to_yaml,
)

__all__ = [
    "SourceDefinition",
    "SourceError",
    "SourceSet",
    "load_source_file",
    "load_sources",
    "name_from_url",
    "source_from_url",
    "source_to_yaml",
]
