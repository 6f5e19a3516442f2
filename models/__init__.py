"""Shared types: the neutral document model, contract records, errors and the database schema."""
