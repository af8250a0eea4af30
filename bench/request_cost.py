"""One API request, repeated in process, for counting its instructions.

    TONGBAN_DATABASE_URL=postgres://postgres@127.0.0.1/tongban_bench_1m \\
      valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
      .venv/bin/python bench/request_cost.py supervisor-371500 "/api/v1/cases?overdue=true" 12

Run it with N = 2 and N = 12: the difference of the two totals over 10 is one request's
instructions, the same figure run after run (bench/README.md, "Finding the cost"). Three
warm-up requests come first. The tree it imports is the one it lies in, so two checkouts can
be compared on the same database.
"""

import sys

import in_django  # noqa: E402, F401 - sets Django up
from django.test import Client  # noqa: E402

from tongban.people.models import ApiToken, User  # noqa: E402


def main() -> int:
    user, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(User.objects.get(username=user))}")
    for _ in range(3):
        response = client.get(path)
        if response.status_code != 200:
            print(f"{path}: {response.status_code} {response.content[:300]!r}", file=sys.stderr)
            return 1
    for _ in range(n):
        client.get(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
