"""Policy reforms re-settled over a year of claims (政策调整模拟): see ``docs.md``."""
