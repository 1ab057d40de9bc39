"""metrics package."""

__all__: list[str] = []
