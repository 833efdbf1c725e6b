"""Output formats: server Tables laid out like kubectl, YAML/JSON like kubectl, result lines."""
