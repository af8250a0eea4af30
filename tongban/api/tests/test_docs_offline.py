import re


def test_the_docs_page_needs_no_outside_network(client):
    page = client.get("/api/docs/").content.decode()
    # Every script, style sheet and image the page loads comes from our own static files;
    # an address that leaves the server (http://, https:// or protocol-relative //host) would
    # need the outside network. (Matching "cdn" alone failed once on a random CSRF token.)
    loaded = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert "swagger-ui" in page and "/static/drf_spectacular_sidecar/" in page
    assert loaded, "the page loads nothing?"
    outside = [url for url in loaded if re.match(r"(?i)(https?:)?//", url)]
    assert outside == []
