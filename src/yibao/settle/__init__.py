"""The one-stop settlement core (一站式结算): pure functions over immutable records."""
