"""Models every area of the API uses."""

from typing import Annotated

from pydantic import Field

from webapp.api.fields import Blankable, Schema


class Error(Schema):
    """The API's one error shape."""

    error: str = Field(description="The HTTP reason")
    message: str = Field(description="What went wrong, in the user's language")
    errors: dict[str, list[str]] | None = Field(None, description="Problems by parameter name")


class CsrfToken(Schema):
    csrf_token: str


class Page(Schema):
    """A page of a list."""

    total: int
    page: int
    per_page: int
    pages: int


class Named(Schema):
    """A thing by id and name (a topic, say)."""

    id: int
    name: str


class PageQuery(Schema):
    """Which page of a list (the directory forms' bounds)."""

    page: Blankable[Annotated[int, Field(ge=1, le=100_000)]] = Field(None, description="Page")
    per_page: Blankable[Annotated[int, Field(ge=1, le=100)]] = Field(None, description="Size")
