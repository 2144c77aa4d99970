"""The screens of the Rounds app, one per module."""
