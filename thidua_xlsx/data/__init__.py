"""Package data: the shipped default bloc (khoi_mac_dinh.json)."""
