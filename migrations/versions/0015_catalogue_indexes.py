"""catalogue indexes: filters with the sort order, and stage/category bitmasks on venues

The list filters by county, city, stage, free and category and sorts by pinyin name. Each
filter now has an index that also holds the sort order, so a page walks one index instead of
the whole name index; stage and category are copied onto the venue as bitmasks (kept in step
by the model), so filtering and counting by them reads the venues table alone. Existing rows
get their masks from venue_stages / venue_categories. The county and city single-column
indexes are prefixes of the new ones and go.

Revision ID: 0015_catalogue_indexes
Revises: 0014_phone_confirmation
Create Date: 2026-12-02 04:30:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0015_catalogue_indexes"
down_revision = "0014_phone_confirmation"
branch_labels = None
depends_on = None

#: frozen copies of the model's orders: bit i is the i-th member
STAGES = ("preschool", "primary", "junior", "senior")
CATEGORIES = (
    "patriotic_education",
    "rule_of_law",
    "study_travel",
    "science_popularisation",
    "library",
    "museum",
    "cultural_centre",
    "intangible_heritage",
    "art_gallery",
    "memorial_hall",
    "science_museum",
    "performance_venue",
    "sports_venue",
    "national_park",
    "youth_palace",
    "children_centre",
)


def _mask_sql(table, column, values):
    cases = " ".join(f"WHEN '{v}' THEN {1 << i}" for i, v in enumerate(values))
    return (
        f"UPDATE venues SET {column}_mask = COALESCE((SELECT SUM(CASE t.{column} {cases} "
        f"ELSE 0 END) FROM {table} t WHERE t.venue_id = venues.id), 0)"
    )


def upgrade():
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage_mask", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("category_mask", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(_mask_sql("venue_stages", "stage", STAGES))
    op.execute(_mask_sql("venue_categories", "category", CATEGORIES))
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index("ix_venues_county_id")
        batch_op.drop_index("ix_venues_city_id")
        batch_op.create_index("ix_venues_county_pinyin", ["county_id", "name_pinyin", "id"])
        batch_op.create_index("ix_venues_city_pinyin", ["city_id", "name_pinyin", "id"])
        batch_op.create_index(
            "ix_venues_free_pinyin", ["is_free_for_children", "name_pinyin", "id"]
        )
    for i, stage in enumerate(STAGES):
        where = sa.text(f"(stage_mask & {1 << i}) <> 0")
        op.create_index(
            f"ix_venues_stage_{stage}",
            "venues",
            ["name_pinyin", "id"],
            sqlite_where=where,
            postgresql_where=where,
        )
    # statistics for the new indexes: SQLite never gathers them by itself
    op.execute('ANALYZE venues')


def downgrade():
    for stage in STAGES:
        op.drop_index(f"ix_venues_stage_{stage}", table_name="venues")
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index("ix_venues_free_pinyin")
        batch_op.drop_index("ix_venues_city_pinyin")
        batch_op.drop_index("ix_venues_county_pinyin")
        batch_op.create_index("ix_venues_city_id", ["city_id"])
        batch_op.create_index("ix_venues_county_id", ["county_id"])
        batch_op.drop_column("category_mask")
        batch_op.drop_column("stage_mask")
