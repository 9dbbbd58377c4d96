"""Storage (存储): SQLAlchemy Core tables, Alembic migrations, repositories, unit of work."""
