"""newsmon/storage."""
