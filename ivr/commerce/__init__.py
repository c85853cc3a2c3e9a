"""The shop's order system: the OrderService protocol and its embedded SQLite implementation."""
