# The jobs' tests use the supervision tests' clock helpers and SMS outbox.
from tongban.supervision.tests.conftest import _sms_outbox, accepted_on, at  # noqa: F401

# The calendar's tests use the working-day tests' notices.
from tongban.workdays.tests.conftest import YEAR_2027, calendar, year_2027  # noqa: F401, E402
