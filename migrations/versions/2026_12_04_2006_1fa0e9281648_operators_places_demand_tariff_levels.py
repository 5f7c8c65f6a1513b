"""operators, places, demand, tariff levels, the price index and settlements (#17)

- centres.operator_code: the municipality that operates the centre's offers (a municipal
  offer), NULL for the region; users.operator_code: the operator an administrator works for.
- units.offer_id: the offer's id on Tilbudsportalen; unit_places: places from a day on.
- referrals: municipalities' referrals to units and their outcome (demand, waiting time).
- tariffs.level and .occupancy_basis (a tariff per level of need, and the occupancy it was
  calculated on); stays.tariff_level; stay_services (special services priced on top);
  settlements (year-end settlement per unit and paying municipality); price_index (the yearly
  price and wage index of the zero-growth rule). Existing tariffs get level "" (the offer's
  only tariff), so what was charged before is unchanged.

Revision ID: 1fa0e9281648
Revises: bb9711e968ec
Create Date: 2026-12-04 20:06:27.407438+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1fa0e9281648"
down_revision: str | None = "bb9711e968ec"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "price_index",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint("percent BETWEEN -20 AND 20", name=op.f("ck_price_index_percent_range")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_price_index_year_range")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_price_index")),
    )
    op.create_table(
        "settlements",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_settlements_year_range")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_settlements_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_settlements_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
        sa.UniqueConstraint(
            "unit_id",
            "municipality_code",
            "year",
            name=op.f("uq_settlements_unit_id_municipality_code_year"),
        ),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlements_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_places",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.CheckConstraint("places >= 0", name=op.f("ck_unit_places_places_not_negative")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_places_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "valid_from", name=op.f("pk_unit_places")),
    )
    op.create_table(
        "referrals",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=3), nullable=False),
        sa.Column(
            "legal_section",
            sa.Enum(
                "85",
                "103",
                "104",
                "107",
                "108",
                name="legal_section",
                native_enum=False,
                create_constraint=True,
                length=7,
            ),
            nullable=True,
        ),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "admitted",
                "declined",
                "withdrawn",
                name="referral_outcome",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("stay_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(outcome = 'pending') = (decided_on IS NULL)",
            name=op.f("ck_referrals_decision_date_with_outcome"),
        ),
        sa.CheckConstraint(
            "outcome = 'admitted' OR stay_id IS NULL", name=op.f("ck_referrals_stay_only_admitted")
        ),
        sa.CheckConstraint(
            "decided_on IS NULL OR decided_on >= referred_on",
            name=op.f("ck_referrals_decided_after_referred"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_referrals_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(["stay_id"], ["stays.id"], name=op.f("fk_referrals_stay_id_stays")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_referrals_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("stay_id", name=op.f("uq_referrals_stay_id")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_unit_referred", ["unit_id", "referred_on"], unique=False
        )

    op.create_table(
        "stay_services",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("daily_amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("daily_amount >= 0", name=op.f("ck_stay_services_amount_not_negative")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_stay_services_period_order")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_stay_services_stay_id_stays")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stay_services")),
    )
    with op.batch_alter_table("stay_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stay_services_stay_id"), ["stay_id"], unique=False)

    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator_code", sa.String(length=3), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_centres_operator_code"), ["operator_code"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_centres_operator_code_municipalities"),
            "municipalities",
            ["operator_code"],
            ["code"],
        )

    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tariff_level", sa.String(length=40), nullable=True))

    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("level", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("occupancy_basis", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch_op.drop_constraint(
            batch_op.f("uq_tariffs_unit_id_legal_section_valid_from"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_tariffs_unit_id_legal_section_level_valid_from"),
            ["unit_id", "legal_section", "level", "valid_from"],
        )
        batch_op.create_check_constraint(
            "occupancy_basis_range",
            "occupancy_basis IS NULL OR (occupancy_basis > 0 AND occupancy_basis <= 100)",
        )

    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_id", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_units_offer_id"), ["offer_id"])

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator_code", sa.String(length=3), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_operator_code_municipalities"),
            "municipalities",
            ["operator_code"],
            ["code"],
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_users_operator_code_municipalities"), type_="foreignkey"
        )
        batch_op.drop_column("operator_code")

    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_units_offer_id"), type_="unique")
        batch_op.drop_column("offer_id")

    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tariffs_occupancy_basis_range"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("uq_tariffs_unit_id_legal_section_level_valid_from"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_tariffs_unit_id_legal_section_valid_from"),
            ["unit_id", "legal_section", "valid_from"],
        )
        batch_op.drop_column("occupancy_basis")
        batch_op.drop_column("level")

    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.drop_column("tariff_level")

    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_centres_operator_code_municipalities"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_centres_operator_code"))
        batch_op.drop_column("operator_code")

    with op.batch_alter_table("stay_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stay_services_stay_id"))

    op.drop_table("stay_services")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_unit_referred")

    op.drop_table("referrals")
    op.drop_table("unit_places")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlements_unit_id"))

    op.drop_table("settlements")
    op.drop_table("price_index")
