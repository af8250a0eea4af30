# The figures pages are tested on the figures' own data set (tongban/stats/tests).
from tongban.stats.tests.conftest import applicants, history, offices, rate  # noqa: F401
