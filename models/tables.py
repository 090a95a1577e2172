"""Imports every table module, so that `SQLModel.metadata` describes the whole database."""

from sqlmodel import SQLModel

from models import (  # noqa: F401
    account,
    audit,
    catalog,
    chat,
    file,
    ledger,
    notification,
    order,
    payment,
    review,
    user,
)

metadata = SQLModel.metadata
