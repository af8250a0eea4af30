# The rating endpoints use the evaluations tests' finished cases (tongban/evaluations/tests).
from tongban.evaluations.tests.conftest import finished, finished_on, oscar  # noqa: F401
