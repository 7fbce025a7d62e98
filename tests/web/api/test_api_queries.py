"""Statement budgets of the API's client list and the token page: they do not grow with the data."""

from __future__ import annotations

from tests.web.api.helpers import bearer, token_for

API_CLIENTS = 7
TOKEN_PAGE = 4


def _twice(client, queries, url: str) -> int:
    client.get(url)  # the first use writes the token's (or session's) last-used time
    return queries.of_page(client, url)


def test_the_api_client_list_costs_the_same_at_10_and_300_clients(client, web_practice, add_clients, queries):
    client.headers.update(bearer(token_for(web_practice, "frontdesk")))
    add_clients(10)
    small = _twice(client, queries, "/api/v1/clients?limit=200")
    add_clients(290)
    large = _twice(client, queries, "/api/v1/clients?limit=200")
    assert small == large <= API_CLIENTS, queries.statements


def test_the_token_page_costs_the_same_for_one_token_and_ten(client, signed_in, queries):
    csrf = signed_in("maya")
    client.post("/profile/tokens", data={"name": "one", "days": "5", "scopes": ["read"], "_csrf": csrf})
    small = _twice(client, queries, "/profile/tokens")
    for i in range(9):
        client.post("/profile/tokens", data={"name": f"t{i}", "days": "5", "scopes": ["read"], "_csrf": csrf})
    large = _twice(client, queries, "/profile/tokens")
    assert small == large <= TOKEN_PAGE, queries.statements
