"""dose package."""

__all__: list[str] = []
