"""Imports every table module, so that `SQLModel.metadata` describes the whole database."""

from sqlmodel import SQLModel

from models import account, user  # noqa: F401

metadata = SQLModel.metadata
