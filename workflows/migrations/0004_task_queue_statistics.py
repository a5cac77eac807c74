"""Statistics over two columns of Viewflow's task table for the queue (issue 10's B2).

The queue asks for open tasks without a permission (`status = 'NEW' AND owner_permission IS
NULL`). Most tasks are done and have no permission, so PostgreSQL, which takes the columns to be
independent, expected tens of thousands of such rows where there were 39 at 100,000 pilots, and
planned the queue for them. Statistics of the columns' common value pairs correct the estimate.
PostgreSQL only: SQLite plans otherwise and has no such statistics.
"""

from django.db import migrations

NAME = "kokeilu_task_status_permission"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {NAME} (mcv, dependencies) "
            "ON status, owner_permission FROM viewflow_task"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_deadline_covering_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
