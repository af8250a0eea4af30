"""Pages of a list: one page plus one row is read, to know whether another page follows,
never a COUNT over the whole list (which a million cases make slow). The API adds a count
where its contract wants one (api.views), from the page when the page tells it."""

PAGE_MAX = 100_000  # past this a page is nobody's reading; OFFSET would only cost
# A list that may hold millions of rows (the city's cases) counts at most this many: past it,
# the API's `count` is COUNT_CAP and `count_capped` true (docs/api.md). An exact COUNT(*) of a
# city's year walks a million index entries on every page.
COUNT_CAP = 10_000


def page_number(value) -> int:
    """A `?page=` of a page: 1 for anything that is not a whole number from 1 to PAGE_MAX.
    (The API refuses such a value with 400 instead; its schema states the range.)"""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= PAGE_MAX else 1


def page_rows(rows, number: int, size: int) -> tuple[list, bool]:
    """Page `number` (1-based) of `rows` (a queryset or list): its rows, and whether a next
    page exists."""
    start = (number - 1) * size
    window = list(rows[start : start + size + 1])
    return window[:size], len(window) > size
