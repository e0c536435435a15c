"""Tests of the offline demo portals."""
