"""The fund ledger (基金会计): double-entry, append-only journals per region × fund."""
