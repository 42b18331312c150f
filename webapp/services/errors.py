"""Errors that services raise, each carrying a message fit to show the user."""


class ServiceError(Exception):
    """A rule said no. `message` is already translated for the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status_code = 404


class PermissionDenied(ServiceError):
    status_code = 403


class Busy(ServiceError):
    """The database was locked by another writer for too long."""

    status_code = 503
