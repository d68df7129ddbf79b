"""Storage: SQLAlchemy Core tables, Alembic migrations, repositories, ingest and resolution."""
