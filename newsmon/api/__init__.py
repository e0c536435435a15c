"""newsmon/api."""
