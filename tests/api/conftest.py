"""Pilots at several stages for the API's tests, and API clients that authenticate as each
role with a token (as integrations do) or a session (as the browser does)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f
from workflows import scenarios as sc

ROLES = ["agent", "legal", "manager", "edu_staff", "urban_staff", "company", "company2"]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # Throttling counts in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(world):
    """Four pilots.

    - `a_intake`: company A, submitted, waiting for screening.
    - `a_contract`: company A, Education accepted it, the contract issued (Contracting).
    - `b_review`: company B, proposed to Urban Environment, waiting for its review (Matching).
    - `b_info`: company B, the agent asked for more information (Intake).
    """
    w = world
    a_intake = f.submit_pilot(w.company_a, w.company, title="A intake")
    a_contract = f.submit_pilot(w.company_a, w.company, title="A contracting")
    sc.screen(a_contract, w.agent)
    sc.match(a_contract, w.agent, w.edu)
    sc.review_match(a_contract, w.edu_staff, site="Kalasataman koulu")
    sc.prepare_contract(a_contract, w.legal, w.edu_staff)
    b_review = f.submit_pilot(w.company_b, w.company2, title="B review")
    sc.screen(b_review, w.agent)
    sc.match(b_review, w.agent, w.urban)
    b_info = f.submit_pilot(w.company_b, w.company2, title="B information")
    sc.screen(b_info, w.agent, decision="request_information", message="Which schools?")
    pilots = SimpleNamespace(
        a_intake=a_intake, a_contract=a_contract, b_review=b_review, b_info=b_info
    )
    for pilot in vars(pilots).values():
        pilot.refresh_from_db()
    return SimpleNamespace(w=w, p=pilots)


def token_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """api(user) -> a client that sends the user's API token."""
    return token_client
