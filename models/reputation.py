"""Reputation read from its aggregates: sums and counts kept with the reviews that change them."""


def average_rating(rating_sum: int, rating_count: int) -> float | None:
    """The average on the 1-5 scale to two places, or `None` before the first review."""
    return round(rating_sum / rating_count, 2) if rating_count else None
