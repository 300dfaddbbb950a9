"""Marking English words for the catalogs, below Flask: the lower layers name their words, pages translate them."""


def N_(text: str) -> str:
    """`text` as it is; `make strings` gathers it, and a page shows it through the reader's catalog."""
    return text
