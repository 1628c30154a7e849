"""Errors the sandbox answers with, in the grpc-gateway body shape (our guess [C], reference 6):
`{"code": <grpc int>, "message": "...", "details": [...]}`."""

from __future__ import annotations

from typing import Any

# gRPC status codes used by grpc-gateway for each HTTP status.
GRPC_CODE = {400: 3, 401: 16, 403: 7, 404: 5, 409: 9, 429: 8, 500: 13, 503: 14, 504: 4}


class SandboxError(Exception):
    def __init__(self, status: int, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.message, self.field)


def error_body(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    if field:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": message}],
            }
        )
    return {"code": GRPC_CODE.get(status, 2), "message": message, "details": details}


def bad_request(message: str, field: str | None = None) -> SandboxError:
    return SandboxError(400, message, field=field)


def not_found(message: str) -> SandboxError:
    return SandboxError(404, message)


def conflict(message: str, field: str | None = None) -> SandboxError:
    return SandboxError(409, message, field=field)
