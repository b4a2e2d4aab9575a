"""The plan's messages to offices, per state portal (data files for now; plan staff edit them in a later issue)."""
