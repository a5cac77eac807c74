"""Indexes on Viewflow's task table for the inbox, queue and archive (issue 10's B2).

The inbox reads a user's assigned tasks (owner, status), the archive a user's finished ones
(owner, finished), the queue open tasks by the permission and object they need (status,
owner_permission, owner_permission_obj_pk; see workflows.selectors.queue_condition). The
table is Viewflow's, so the indexes are SQL of their own, valid on PostgreSQL and SQLite.
"""

from django.db import migrations

INDEXES = {
    "kokeilu_task_owner_status": "(owner_id, status)",
    "kokeilu_task_owner_finished": "(owner_id, finished)",
    "kokeilu_task_queue": "(status, owner_permission, owner_permission_obj_pk)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON viewflow_task {columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
