"""GraphQL documents shared by the account tests."""

AUTH_FIELDS = """
    user { id name email role emailVerified }
    accessToken refreshToken expiresAt
    errors { field code message }
"""

REGISTER = f"""
mutation Register($input: RegisterInput!) {{ register(input: $input) {{ {AUTH_FIELDS} }} }}
"""
LOGIN = f"""
mutation Login($input: LoginInput!) {{ login(input: $input) {{ {AUTH_FIELDS} }} }}
"""
REFRESH = f"""
mutation Refresh($token: String!) {{
  refreshToken(input: {{refreshToken: $token}}) {{ {AUTH_FIELDS} }}
}}
"""
LOGOUT = """
mutation Logout($token: String!) {
  logout(input: {refreshToken: $token}) { ok errors { field code message } }
}
"""
VIEWER = "query { viewer { id name email role emailVerified phone phoneVerified } }"
