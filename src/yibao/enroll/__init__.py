"""Persons, employer units, enrollment and contributions (参保登记与缴费): pure rules."""
