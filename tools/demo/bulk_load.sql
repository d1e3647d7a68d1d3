BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
INSERT INTO events (user, kind, payload) SELECT abs(random() % 100000), i % 20, hex(randomblob(60)) FROM n;
COMMIT;
