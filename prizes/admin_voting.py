"""Admin of the votes: the quarantine with reasons, release and void."""
