"""JWT Pizza: a pizza shop whose pizzas are signed JWTs, and the ops side around it."""

__version__ = "0.1.0"
