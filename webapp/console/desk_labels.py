"""Labels the desk's templates use beyond the app-wide ones: a booking's head counts."""

from webapp.console import bp
from webapp.count_labels import COUNT_LABELS


@bp.context_processor
def desk_labels() -> dict:
    return {"COUNT_LABELS": COUNT_LABELS}
