"""Clients of an Ephemeral server that run outside a browser; never imported by the server (`ephemeral/`)."""
