"""GraphQL documents shared by the notification tests."""

ERRORS = "errors { field code message }"
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
