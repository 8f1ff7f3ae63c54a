"""Alembic environment: the URL comes from config (or from the connection handed in by schema.upgrade)."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import config
from data_access.models import metadata

target_metadata = metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # PostGIS ships its own tables (spatial_ref_sys, topology); they are not ours to manage.
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, include_object=include_object, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config({"sqlalchemy.url": config.database_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, include_object=include_object, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
