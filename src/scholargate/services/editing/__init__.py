"""Curating a method in a form: its fields from the shapes, the values read and written
as a delta, and a change shown with labels."""
