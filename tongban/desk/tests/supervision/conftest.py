# The supervisors' pages use the supervision tests' clock helpers and SMS outbox.
from tongban.supervision.tests.conftest import _sms_outbox, accepted_on  # noqa: F401
