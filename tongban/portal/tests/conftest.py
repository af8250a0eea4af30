"""Portal tests: private media per test, a clean cache (rate limits), signed-in clients."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def carol_client(client, carol):
    client.force_login(carol)
    return client
