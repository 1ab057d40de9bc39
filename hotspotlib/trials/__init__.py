"""trials package."""

__all__: list[str] = []
