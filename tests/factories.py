"""factory_boy factories and role helpers shared by the tests."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from cases import roles
from cases import services as case_services
from cases.models import Company, Division, PlatformTheme
from cases.validators import business_id_check_digit
from workflows import scenarios
from workflows.services import pilot_submit

User = get_user_model()


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fi_FI")
    last_name = factory.Faker("last_name", locale="fi_FI")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("kokeilu-test")


def _valid_business_id(n: int) -> str:
    base = 1000000 + n
    while True:
        digits = f"{base:07d}"
        check = business_id_check_digit(digits)
        if check is not None:
            return f"{digits}-{check}"
        base += 1


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Faker("company", locale="fi_FI")
    business_id = factory.Sequence(lambda n: _valid_business_id(n * 3))


def fresh(user):
    """The user re-read, so that cached permissions are not stale."""
    return User.objects.get(pk=user.pk)


def make_agent(username="agent"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.AGENTS))
    return fresh(user)


def make_legal(username="legal"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.LEGAL))
    return fresh(user)


def make_manager(username="manager"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.MANAGERS))
    return fresh(user)


def make_division_staff(division, username, can_sign=True):
    user = UserFactory(username=username)
    case_services.division_staff_add(user=user, division=division, can_sign=can_sign)
    return fresh(user)


def make_company_user(company, username):
    user = UserFactory(username=username)
    case_services.membership_activate(company=company, user=user)
    return fresh(user)


def division(code):
    return Division.objects.get(code=code)


def theme(code="learning"):
    return PlatformTheme.objects.get(code=code)


def submit_pilot(company, by, title="Pilot", **overrides):
    return pilot_submit(
        company=company,
        by=by,
        proposal=scenarios.proposal(
            theme(), title=title, start=datetime.date(2027, 3, 1), **overrides
        ),
    )
