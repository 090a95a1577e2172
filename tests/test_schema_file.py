from pathlib import Path

from models.settings import Settings
from server import export_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_graphql_matches_the_served_schema():
    served = export_schema(Settings(jwt_secret="s" * 40))

    assert SCHEMA_FILE.read_text() == served, (
        "schema.graphql is stale: run `python server.py schema > schema.graphql`"
    )
