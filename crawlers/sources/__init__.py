"""The source registry: shipped portal definitions (the YAML files here) and the loader."""

from crawlers.sources.registry import (
    DefinitionError,
    SourceDefinition,
    SourceError,
    SourceSet,
    definitions_signature,
    is_shipped,
    load_source_file,
    load_sources,
    name_from_url,
    new_definition,
    source_from_url,
    source_to_yaml,
    user_sources_dir,
)

__all__ = [
    "DefinitionError",
    "SourceDefinition",
    "SourceError",
    "SourceSet",
    "definitions_signature",
    "is_shipped",
    "load_source_file",
    "load_sources",
    "name_from_url",
    "new_definition",
    "source_from_url",
    "source_to_yaml",
    "user_sources_dir",
]
