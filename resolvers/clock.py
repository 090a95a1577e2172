"""What time it is, asked in one place so that tests can move time."""

from datetime import datetime

from models.types import utcnow


class Clock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return utcnow()
