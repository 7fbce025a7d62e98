"""Finding clients: accent- and case-folded words, a full-text index per database, likely duplicates."""
