"""newsmon/demo."""
