"""Sign-in that survives a refresh: session tokens, stored as their SHA-256 only.

Revision ID: 0007_session_tokens
Revises: 0006_review
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_session_tokens"
down_revision = "0006_review"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "session_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_session_tokens_digest")),
    )
    op.create_index(op.f("ix_session_tokens_account"), "session_tokens", ["account"])


def downgrade() -> None:
    op.drop_index(op.f("ix_session_tokens_account"), table_name="session_tokens")
    op.drop_table("session_tokens")
