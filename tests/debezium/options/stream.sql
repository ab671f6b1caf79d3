-- What is done while capture streams (the options run): the snapshot's rows again under new keys,
-- updates (skipped: skipped.operations=u), deletes (without tombstones: tombstones.on.delete=false).
SET SESSION sql_mode = '';

CREATE TEMPORARY TABLE tmp_people AS SELECT * FROM people;
UPDATE tmp_people SET id = id + 100, code = code + 100;
INSERT INTO people SELECT * FROM tmp_people;
INSERT INTO orders VALUES (101, 'B-2', 5), (102, 'C-30000', NULL);
INSERT INTO nopk VALUES (101, 'p', 'q');

UPDATE people SET email = 'bob@example.com', note = 'changed' WHERE id = 101;
UPDATE orders SET qty = 6 WHERE id = 101;
DELETE FROM people WHERE id = 102;
DELETE FROM orders WHERE id = 102;
DELETE FROM nopk WHERE a = 101;
INSERT INTO typed SELECT id + 100, tt, t, mt, lt, s, ch, dt, tm, ts, y, f, fl, bt, ti, si, j, bl, bn, dc, n FROM typed;
INSERT INTO extra SELECT id + 100, d, bt, vb, ts, j, big, m FROM extra;
