CREATE TABLE events (id INTEGER PRIMARY KEY, user INTEGER NOT NULL, kind INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE INDEX events_by_user ON events (user, payload);
