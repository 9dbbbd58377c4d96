"""Reading input files (JSON, YAML) into domain records, with errors that name the key."""
