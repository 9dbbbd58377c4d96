"""yibao: an open-source engine for social medical insurance (医疗保障)."""

__version__ = "0.1.0"
