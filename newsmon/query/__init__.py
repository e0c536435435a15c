"""newsmon/query."""
