"""What the console's templates use beyond the app-wide globals: a booking's head-count
labels, and the tile settings of the small map on which staff drag a venue's marker."""

from flask import current_app

from webapp.console import bp
from webapp.count_labels import COUNT_LABELS
from webapp.services.catalogue.maps import select_tile_provider


def position_map_options() -> dict:
    provider, url = select_tile_provider(current_app.config)
    return {
        "url": url,
        "attribution": provider.attribution,
        "subdomains": provider.subdomains,
        "gcj02": provider.crs == "gcj02",
    }


@bp.context_processor
def desk_labels() -> dict:
    return {"COUNT_LABELS": COUNT_LABELS, "position_map_options": position_map_options}
