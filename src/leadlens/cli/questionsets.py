"""Commands about question sets: validate, schema, list, show."""
