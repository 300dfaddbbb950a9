"""Interop vectors, and the script that writes them."""
