"""Jobs: the imperative shell that reads files, runs the pure core or the batch engine,
and writes results."""
