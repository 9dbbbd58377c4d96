"""Strategic purchasing (战略购买): provider agreements, volume-based procurement, catalogue changes."""
