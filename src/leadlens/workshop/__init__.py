"""`leadlens workshop`: the room answers on phones; the board agrees levels and actions."""
