import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, enum_column


class RegionLevel(enum.Enum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Region(db.Model):
    """An administrative division: the province, a prefecture-level city or a county-level one."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: GB/T 2260 six-digit code; the natural key the seed upserts by
    adcode: Mapped[str] = mapped_column(sa.String(6), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    name_en: Mapped[str] = mapped_column(sa.String(60), default="")
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel, name="region_level"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    #: WGS-84 centroid: where a venue whose address cannot be geocoded is placed
    lat: Mapped[float] = mapped_column(sa.Float)
    lng: Mapped[float] = mapped_column(sa.Float)

    parent: Mapped["Region | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Region"]] = relationship(
        back_populates="parent", order_by="Region.adcode"
    )

    def display_name(self, locale: str = "zh") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name

    @property
    def city(self) -> "Region | None":
        """The prefecture-level city this region belongs to (itself for a city)."""
        if self.level is RegionLevel.CITY:
            return self
        if self.level is RegionLevel.COUNTY:
            return self.parent
        return None

    def __repr__(self):
        return f"<Region {self.adcode} {self.name}>"
