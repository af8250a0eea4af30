def test_the_docs_page_needs_no_outside_network(client):
    page = client.get("/api/docs/").content.decode()
    assert (
        "swagger-ui" in page
        and "cdn" not in page.lower()
        and "/static/drf_spectacular_sidecar/" in page
    )
