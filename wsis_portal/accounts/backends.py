"""The portal's authentication backends: Django's and allauth's, reading the
signed-in user of each request with one plain statement.

Every signed-in request loads its user (``get_user``); through the ORM,
building and compiling that query cost about twice the CPU of running it
(0.43 against 0.25 ms here), on every page and every vote. The statement is
compiled from the default manager once per process, so it reads the same
columns the ORM would, and its row becomes a user through ``Model.from_db``
as the ORM's does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

# A placeholder value the compiled statement's single parameter must carry.
_MARKER = -424242


@dataclass(frozen=True)
class _Statement:
    sql: str
    attnames: list[str]
    compiler: object  # applies the columns' converters, as the ORM does
    converters: dict


@cache
def _user_statement(alias: str) -> _Statement | None:
    """The default manager's ``get(pk=…)`` as SQL with one parameter; None if
    the manager adds parameters of its own (then the ORM is used)."""
    model = get_user_model()
    query = model._default_manager.db_manager(alias).filter(pk=_MARKER).query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params) != [_MARKER] or len(compiler.select) != len(model._meta.concrete_fields):
        return None
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return _Statement(sql, [field.attname for field in model._meta.concrete_fields], compiler, converters)


def user_by_pk(user_id):
    """The user whose key is ``user_id`` (as stored in the session), or None."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(model)
    statement = _user_statement(alias)
    if statement is None:
        return model._default_manager.db_manager(alias).filter(pk=pk).first()
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if statement.converters:
        row = next(iter(statement.compiler.apply_converters([row], statement.converters)))
    return model.from_db(alias, statement.attnames, row)


class FastUserMixin:
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(FastUserMixin, DjangoModelBackend):
    """Django's ModelBackend with the plain-statement ``get_user``."""


class AuthenticationBackend(FastUserMixin, AllauthBackend):
    """allauth's backend (login by email, by code) with the plain-statement ``get_user``."""
