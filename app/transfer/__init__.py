"""Organisation export and import: the whole organisation as one versioned, id-free JSON document
(`hoshin export` / `hoshin import`, Admin → Export and import), and online backups of SQLite."""
