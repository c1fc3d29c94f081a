"""Errors returned at the top level of a GraphQL response, with the reference's extension codes."""

from graphql import GraphQLError


class ApiError(GraphQLError):
    """An expected refusal (not found, not authorised, bad arguments), shown to the client as is."""

    code = "bad_request"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message, extensions={"code": code or self.code})


class NotFound(ApiError):
    code = "not_found"


class Unauthorized(ApiError):
    code = "unauthorized"


class Forbidden(ApiError):
    code = "forbidden"


class BadRequest(ApiError):
    code = "bad_request"
