"""The wallet's requests to an issuer: JSON answers read within a size bound, every failure one sentence."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from credentials import describe_http_error
from wallet.import_input import ImportRefused, is_http_url, sentence

if TYPE_CHECKING:
    import httpx

MAX_HTTP_ANSWER_BYTES = 4 * 1024 * 1024


class IssuerRefusal(ImportRefused):
    """The issuer answered with an OAuth error (RFC 6749 §5.2): its ``error`` code is kept."""

    def __init__(self, message: str, error: str, answer: dict[str, Any]) -> None:
        super().__init__(message)
        self.error = error
        self.answer = answer


class IssuerHttp:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def get_json(self, url: str, what: str) -> dict[str, Any]:
        return self.exchange("GET", url, what, headers={"Accept": "application/json"})[1]

    def post(self, url: str, what: str, *, data: dict[str, str] | None = None,
             json_body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self.post_status(url, what, data=data, json_body=json_body, headers=headers)[1]

    def post_status(self, url: str, what: str, *, data: dict[str, str] | None = None,
                    json_body: dict[str, Any] | None = None,
                    headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        return self.exchange("POST", url, what, data=data, json_body=json_body,
                             headers={"Accept": "application/json", **(headers or {})})

    def exchange(self, method: str, url: str, what: str, *, data: dict[str, str] | None = None,
                 json_body: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """The status and the JSON object answered; an HTTP error or a non-object is IssuerRefusal."""
        if not is_http_url(url):
            raise ImportRefused(f"The issuer's {what} URL is not an http(s) URL.")
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data
        elif json_body is not None:
            kwargs["json"] = json_body
        elif method == "POST":
            kwargs["content"] = b""
        status, body = self._send(method, url, what, kwargs)
        try:
            answer = json.loads(body) if body else {}
        except (ValueError, RecursionError):
            answer = None
        if status >= 400 or not isinstance(answer, dict):
            error = str(answer.get("error") or "") if isinstance(answer, dict) else ""
            detail = str(answer.get("error_description") or error) if isinstance(answer, dict) else ""
            reason = f": {detail}" if detail else ""
            if status < 400:
                reason = ": the answer is not a JSON object"
            raise IssuerRefusal(sentence(f"The issuer refused the {what} (HTTP {status}){reason}"), error,
                                answer if isinstance(answer, dict) else {})
        return status, answer

    def _send(self, method: str, url: str, what: str, kwargs: dict[str, Any]) -> tuple[int, bytes]:
        """The answer's status and body, read up to MAX_HTTP_ANSWER_BYTES."""
        import httpx

        from credentials import RefusedError

        try:
            with self._client.stream(method, url, **kwargs) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_HTTP_ANSWER_BYTES:
                        raise ImportRefused(f"The issuer's answer to the {what} is too large.")
                return response.status_code, bytes(body)
        except RefusedError as exc:
            raise ImportRefused(f"The {what} was not sent: {sentence(str(exc))}") from None
        except httpx.HTTPError as exc:
            raise ImportRefused(f"The issuer could not be reached for the {what}: "
                                f"{describe_http_error(exc)}.") from None
