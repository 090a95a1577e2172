"""GraphQL documents shared by the review and notification tests."""

ERRORS = "errors { field code message }"
REVIEW = """
  id rating comment communication quality timeliness reply repliedAt publishedAt hiddenAt
  createdAt orderId author { id } subject { id } gig { id }
"""
SUBMIT = f"""
mutation($input: SubmitReviewInput!) {{
  submitReview(input: $input) {{ review {{ {REVIEW} }} {ERRORS} }}
}}"""
REPLY = f"""
mutation($id: ID!, $reply: String!) {{
  replyToReview(input: {{reviewId: $id, reply: $reply}}) {{ review {{ {REVIEW} }} {ERRORS} }}
}}"""
HIDE = f"""
mutation($id: ID!, $reason: String!) {{
  hideReview(input: {{reviewId: $id, reason: $reason}}) {{ review {{ {REVIEW} }} {ERRORS} }}
}}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on Review {{ {REVIEW} }} }} }}"
PAGE = (
    "totalCount edges { cursor node { id rating publishedAt } } pageInfo { hasNextPage endCursor }"
)
USER_REVIEWS = f"""
query($id: ID!, $first: Int, $after: String) {{
  user(id: $id) {{ rating reviewCount reviews(first: $first, after: $after) {{ {PAGE} }} }}
}}"""
GIG_REVIEWS = f"""
query($id: ID!, $first: Int, $after: String) {{
  gig(id: $id) {{ rating reviewCount reviews(first: $first, after: $after) {{ {PAGE} }} }}
}}"""
FEED_REVIEWS = """
query {
  gigs(first: 20) { edges { node {
    reviews(first: 2) { edges { node { rating author { name } } } }
    seller { reviews(first: 2) { edges { node { rating subject { name } } } } }
  } } }
}"""

NOTIFICATION = "id type text targetId read readAt createdAt"
NOTIFICATIONS = f"""
query($first: Int, $after: String, $unreadOnly: Boolean) {{
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {{
    totalCount edges {{ cursor node {{ {NOTIFICATION} }} }} pageInfo {{ hasNextPage endCursor }}
  }}
  viewer {{ unreadNotificationCount }}
}}"""
MARK_READ = f"""
mutation($input: MarkNotificationsReadInput!) {{
  markNotificationsRead(input: $input) {{ markedCount unreadCount {ERRORS} }}
}}"""
PREFERENCES = f"""
mutation($input: UpdateNotificationPreferencesInput!) {{
  updateNotificationPreferences(input: $input) {{ preferences {{ type email }} {ERRORS} }}
}}"""
VIEWER_PREFERENCES = "query { viewer { notificationPreferences { type email } } }"
