"""Fixtures: one user per role of DESIGN.md, two companies and two divisions."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from tests import factories as f
from tests.security.report import (  # noqa: F401 (pytest hooks: the access-control matrix summary)
    pytest_runtest_logreport,
    pytest_terminal_summary,
)


@pytest.fixture(autouse=True)
def _site_language():
    """A request with Accept-Language, or by a user who chose another language, leaves that
    language active in the thread (the middleware activates it and nothing deactivates it);
    each test starts and ends in the site's language, whatever ran before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """The demo cast: agent, legal, manager, Education and Urban Environment staff, and users
    of two companies."""
    edu = f.division("education")
    urban = f.division("urban-environment")
    company_a = f.CompanyFactory(name="Oppimisratkaisut Oy")
    company_b = f.CompanyFactory(name="Katuvalo Oy")
    return SimpleNamespace(
        edu=edu,
        urban=urban,
        company_a=company_a,
        company_b=company_b,
        agent=f.make_agent(),
        legal=f.make_legal(),
        manager=f.make_manager(),
        edu_staff=f.make_division_staff(edu, "edu"),
        urban_staff=f.make_division_staff(urban, "urban"),
        company=f.make_company_user(company_a, "company"),
        company2=f.make_company_user(company_b, "company2"),
    )
