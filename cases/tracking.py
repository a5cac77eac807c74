"""What changed in a tracked model since it was loaded, so that a save validates only that.

`Model.full_clean()` checks every field, every unique field and every constraint, and most of
those checks are queries: a foreign key's existence, a unique value, a check constraint (on
PostgreSQL inside a savepoint). A pilot has seven foreign keys, two unique fields and three
check constraints, so each save of a pilot whose stage changed cost about sixteen queries of
validation for one changed column. `save_with_history` now validates the fields that changed
since the instance was loaded (or last saved through it), and every constraint that names one
of them with all of that constraint's fields; a new instance, or one whose loaded values are
not known, is validated whole as before.
"""

import copy
import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models.constants import LOOKUP_SEP


class LoadedValues:
    """Mixed into a model (before `models.Model`): remembers the column values an instance was
    loaded with. Adds no field, so no migration."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = {
            name: _snapshot(value) for name, value in zip(field_names, values, strict=True)
        }
        return instance


def _snapshot(value):
    # JSON values are changed in place (a list appended to): keep a copy, not the object.
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


def remember_values(instance: models.Model, update_fields=None) -> None:
    """After a save: what is in the database now is what the instance holds (of
    `update_fields` only, when the save was limited to them)."""
    fields = instance._meta.concrete_fields
    if update_fields is not None:
        if not hasattr(instance, "_loaded_values"):
            return
        names = set(update_fields)
        fields = [field for field in fields if field.name in names or field.attname in names]
    else:
        instance._loaded_values = {}
    for field in fields:
        instance._loaded_values[field.attname] = _snapshot(getattr(instance, field.attname))


def changed_fields(instance: models.Model) -> set[str] | None:
    """The names of the fields changed since load, or None when that is not known (a new
    instance, a model without LoadedValues, or deferred fields)."""
    loaded = getattr(instance, "_loaded_values", None)
    if instance._state.adding or loaded is None:
        return None
    changed = set()
    for field in instance._meta.concrete_fields:
        if field.attname not in loaded:
            return None
        if getattr(instance, field.attname) != loaded[field.attname]:
            changed.add(field.name)
    return changed


def full_clean(instance: models.Model) -> None:
    """`Model.full_clean()` for what changed (`validation_exclude`), and without asking the
    database whether a foreign key's row exists when the instance holds that row, loaded or
    saved (the foreign key constraint still guards it at the commit). Errors are gathered as
    `full_clean()` gathers them."""
    exclude = set(validation_exclude(instance) or ())
    errors = {}
    try:
        instance.clean_fields(exclude=exclude | _held_foreign_keys(instance))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    for validate in (
        instance.validate_unique,
        lambda exclude: validate_constraints(instance, exclude),
    ):
        try:
            validate(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validate_constraints(instance: models.Model, exclude: set[str]) -> None:
    """`Model.validate_constraints()`, but a check constraint over the instance's own plain
    columns is evaluated in Python (`check_in_python`) instead of by a query in a savepoint.
    The others, and any condition it cannot read, are left to Django."""
    using = router.db_for_write(type(instance), instance=instance)
    errors = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                verdict = _UNREADABLE
                if isinstance(constraint, models.CheckConstraint):
                    verdict = check_in_python(constraint.condition, instance, exclude)
                if verdict is _UNREADABLE:
                    constraint.validate(model_class, instance, exclude=exclude, using=using)
                elif verdict is False:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


_UNREADABLE = object()
_COMPARABLE = (int, float, Decimal, datetime.date, datetime.datetime, datetime.time, bool)
_OPERATORS = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def check_in_python(condition, instance, exclude=()):
    """A check constraint's condition on the instance, with SQL's three values: True, False,
    or None (a NULL made it unknown; the constraint then holds, as in the database). Returns
    True as Django does when the condition names an excluded field (it is not validated).
    Returns `_UNREADABLE` for anything but exact/gt/gte/lt/lte/range/isnull/in on the model's own
    non-relation columns against literals or F() of such columns, and for ordering strings
    (the database's collation decides those) other than against the empty string."""
    try:
        if _q_fields(condition) & set(exclude):
            return True
        return _evaluate(models.Q(condition), instance)
    except _Unreadable:
        return _UNREADABLE


class _Unreadable(Exception):
    pass


def _evaluate(node, instance):
    if not isinstance(node, models.Q):
        raise _Unreadable
    values = []
    for child in node.children:
        if isinstance(child, models.Q):
            values.append(_evaluate(child, instance))
        elif isinstance(child, tuple) and len(child) == 2:
            values.append(_lookup(*child, instance))
        else:
            raise _Unreadable
    if node.connector == models.Q.AND:
        result = False if False in values else None if None in values else True
    elif node.connector == models.Q.OR:
        result = True if True in values else None if None in values else False
    else:
        raise _Unreadable
    if node.negated and result is not None:
        result = not result
    return result


def _column(instance, name):
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise _Unreadable from error
    if field.is_relation or not field.concrete:
        raise _Unreadable
    return getattr(instance, field.attname)


def _lookup(lookup, expected, instance):
    name, _sep, operator = lookup.partition(LOOKUP_SEP)
    operator = operator or "exact"
    value = _column(instance, name)
    if isinstance(expected, models.F):
        expected = _column(instance, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise _Unreadable
    if operator == "isnull":
        return (value is None) == bool(expected)
    if operator == "range":
        low, high = expected
        if value is None or low is None or high is None:
            return None
        if not all(isinstance(v, _COMPARABLE) for v in (value, low, high)):
            raise _Unreadable
        return low <= value <= high
    if operator == "in":
        if value is None:
            return None
        return value in list(expected)
    if operator not in _OPERATORS:
        raise _Unreadable
    if value is None or expected is None:
        if operator == "exact" and expected is None:
            return value is None  # Django turns exact=None into IS NULL
        return None
    if operator != "exact":
        strings = isinstance(value, str) or isinstance(expected, str)
        if strings and not (value == "" or expected == ""):
            raise _Unreadable
        if not strings and not (
            isinstance(value, _COMPARABLE) and isinstance(expected, _COMPARABLE)
        ):
            raise _Unreadable
    elif not isinstance(value, (str, *_COMPARABLE)) or not isinstance(
        expected, (str, *_COMPARABLE)
    ):
        raise _Unreadable
    try:
        return _OPERATORS[operator](value, expected)
    except TypeError as error:  # e.g. a date against a datetime
        raise _Unreadable from error


def _held_foreign_keys(instance: models.Model) -> set[str]:
    held = set()
    for field in instance._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if (
            related is not None
            and not related._state.adding
            and related.pk is not None
            and getattr(instance, field.attname) == getattr(related, field.target_field.attname)
        ):
            held.add(field.name)
    return held


def validation_exclude(instance: models.Model) -> list[str] | None:
    """The fields `full_clean(exclude=...)` may skip: those unchanged and not named by a
    constraint together with a changed field. None: validate everything."""
    changed = changed_fields(instance)
    if changed is None:
        return None
    keep = set(changed)
    for constraint in instance._meta.constraints:
        names = _constraint_fields(constraint)
        if names is None:
            if changed:
                return None  # a constraint we cannot read: validate everything
            continue
        if names & changed:
            keep |= names
    return [field.name for field in instance._meta.fields if field.name not in keep]


def _constraint_fields(constraint) -> set[str] | None:
    names = set()
    if isinstance(constraint, models.CheckConstraint):
        names |= _q_fields(constraint.condition)
    elif isinstance(constraint, models.UniqueConstraint):
        if constraint.expressions:
            return None
        names |= set(constraint.fields)
        if constraint.condition is not None:
            names |= _q_fields(constraint.condition)
    else:
        return None
    return names


def _q_fields(condition) -> set[str]:
    return set(models.Q(condition).referenced_base_fields)
