"""Background work as database rows: queued, claimed atomically by one worker, with progress."""
