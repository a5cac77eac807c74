"""django-simple-history's HistoricalRecords with its manager class made once per model.

simple-history's `HistoryDescriptor` builds a new manager class (`Manager.from_queryset`,
which inspects the queryset class) every time `instance.history` is read, and it reads it for
every history row it writes: a tenth of a pilot step's time went there. The class made is
the same each time; this one is built once and reused. Everything else is simple-history's.
"""

import functools

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords as _HistoricalRecords


class ReusedHistoryManager(HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name=class_name)


class HistoricalRecords(_HistoricalRecords):
    def __init__(self, *args, history_manager=ReusedHistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)
