"""newsmon/cli."""
