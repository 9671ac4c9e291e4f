"""One error shape (``errors.error_body``): the app's JSON errors and the HTTP front's
own refusals are the same document."""

from __future__ import annotations

import json
import subprocess
import sys

from flask.testing import FlaskClient

from scholargate.errors import error_body


def test_the_shape_has_error_status_message_and_details_only_when_given() -> None:
    assert error_body(404, "not-found", "no such page") == {
        "error": "not-found",
        "status": 404,
        "message": "no such page",
    }
    with_details = error_body(400, "parse-error", "bad", {"line": 2})
    assert with_details["details"] == {"line": 2}


def test_an_app_error_is_the_shape(client: FlaskClient) -> None:
    response = client.get("/export/no-such-graph.ttl", headers={"Accept": "application/json"})
    document = response.get_json()
    assert response.status_code == 404
    assert document == error_body(404, "not-found", document["message"], document["details"])


def test_a_front_refusal_is_the_shape() -> None:
    # in a process of its own: the front imports gevent
    program = (
        "from scholargate.front import RefusalError;"
        "import sys; sys.stdout.buffer.write(RefusalError(408, 'request-timeout', 'slow').encode())"
    )
    answer = subprocess.run([sys.executable, "-c", program], capture_output=True, check=True).stdout
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert json.loads(body) == error_body(408, "request-timeout", "slow")
