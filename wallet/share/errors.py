"""What sharing can refuse, each with a sentence the app can show as it is::

    ShareError
    ├── NoProfileError            the wallet has no holder identity to sign with
    ├── NotPresentableError       a credential that cannot go into a presentation (and why)
    ├── RequestError              a verifier's request that cannot be read or answered
    │   └── RequestGoneError      the request was already answered, or expired
    ├── RelayError                the share relay refused or could not be reached
    └── UnshareError              the share cannot be withdrawn (unknown, or not a relay link)

Codec errors (``QrTooLarge``, ``QrDecodeError``) are ``ValueError``s from :mod:`.qrcodec`.
"""

from __future__ import annotations

__all__ = ["NoProfileError", "NotPresentableError", "RelayError", "RequestError", "RequestGoneError",
           "ShareError", "UnshareError"]


class ShareError(Exception):
    """Base of the sharing errors; ``str(exc)`` is a sentence for the learner."""


class NoProfileError(ShareError):
    pass


class NotPresentableError(ShareError):
    def __init__(self, credential_id: str, reason: str) -> None:
        self.credential_id, self.reason = credential_id, reason
        super().__init__(f"Credential {credential_id} cannot be shared in a presentation: {reason}.")


class RequestError(ShareError):
    pass


class RequestGoneError(RequestError):
    pass


class RelayError(ShareError):
    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class UnshareError(ShareError):
    pass
