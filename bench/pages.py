"""B2's page measurement on a database seeded before (`bench.run --keep`), without seeding
again: for trying a change to a page against 100,000 pilots in seconds rather than minutes.

    DJANGO_SETTINGS_MODULE=bench.settings \
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_kokeilu_bench \
      .venv/bin/python -m bench.pages --pages inbox,queue --roles agent --repeat 20

DATABASE_URL names the kept database itself (`test_...`), not the name it was made from.
Run `manage.py migrate` on it first when the change adds a migration. The figures are the
same kind as `bench.run`'s (median and p95 through the test client, queries of one request).
"""

import argparse
import json
import os
import sys

import django


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument(
        "--roles",
        default="agent,division,company",
        help="comma-separated: agent, division, company",
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", default="", help="write the figures to this file too")
    return parser.parse_args(argv)


def seeded_users() -> dict:
    """The users `bench.run` measures, found by the names `bench.seed` gives them: the first
    innovation agent, Education's first member of staff and the first company's user."""
    from django.contrib.auth import get_user_model

    from cases.models import CompanyMembership

    users = get_user_model().objects
    first_company = (
        CompanyMembership.objects.filter(user__username__startswith="company")
        .order_by("company_id")
        .values_list("user_id", flat=True)
        .first()
    )
    return {
        "agent": users.get(username="agent0"),
        "division": users.get(username="staff-education"),
        "company": users.get(pk=first_company),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    from . import run

    setup_test_environment()
    wanted = {name for name in args.pages.split(",") if name}
    pages = [(name, url) for name, url in run.PAGES if not wanted or name in wanted]
    unknown = wanted - {name for name, _url in run.PAGES}
    if unknown:
        print(f"unknown pages: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    users = {role: user for role, user in seeded_users().items() if role in args.roles.split(",")}
    results = run.measure_pages(users, args.repeat, pages=pages)
    for key, data in results.items():
        print(
            f"{key:24} {data['status']} queries {data['queries']:3}  "
            f"median {data['median_ms']:8.1f} ms  p95 {data['p95_ms']:8.1f} ms  "
            f"({data['samples']} req.)"
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
