"""What a data folder goes through: first start, upgrades of its layout and shipped graphs, backup and
restore, dump and load."""
