-- What is done while capture streams: the snapshot's rows again under new keys (the binlog's encoding
-- of every value), updates that set and clear values, deletes, a NULL row updated to values.
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';

CREATE TEMPORARY TABLE tmp_ints AS SELECT * FROM ints;
UPDATE tmp_ints SET id = id + 100;
INSERT INTO ints SELECT * FROM tmp_ints;
CREATE TEMPORARY TABLE tmp_nums AS SELECT * FROM nums;
UPDATE tmp_nums SET id = id + 100;
INSERT INTO nums SELECT * FROM tmp_nums;
CREATE TEMPORARY TABLE tmp_strs AS SELECT * FROM strs;
UPDATE tmp_strs SET id = id + 100;
INSERT INTO strs SELECT * FROM tmp_strs;
CREATE TEMPORARY TABLE tmp_times AS SELECT * FROM times;
UPDATE tmp_times SET id = id + 100;
INSERT INTO times SELECT * FROM tmp_times;
CREATE TEMPORARY TABLE tmp_misc AS SELECT * FROM misc;
UPDATE tmp_misc SET id = id + 100;
INSERT INTO misc SELECT * FROM tmp_misc;

UPDATE ints SET ti = -1, biu = 18446744073709551614 WHERE id = 101;
UPDATE ints SET ti = 5, tiu = 5, si = 5, siu = 5, mi = 5, miu = 5, i = 5, iu = 5, bi = 5, biu = 5 WHERE id = 104;
UPDATE ints SET id = 200 WHERE id = 103;
DELETE FROM ints WHERE id = 102;
UPDATE nums SET d65 = -d65, b64 = b'0', f = NULL WHERE id = 101;
DELETE FROM nums WHERE id = 104;
UPDATE strs SET vc = CONCAT(vc, '🎉'), bl = NULL WHERE id = 101;
DELETE FROM strs WHERE id = 103;
UPDATE times SET t6 = '-00:00:00.000001', ts6 = '2001-02-03 04:05:06.070809', d = NULL WHERE id = 101;
UPDATE times SET d = '2000-01-01' WHERE id = 103;
DELETE FROM times WHERE id = 102;
INSERT INTO times (id, d, y, dt0, ts0) VALUES (105, '0000-00-00', 0, '0000-00-00 00:00:00', '0000-00-00 00:00:00');
UPDATE misc SET j = '{"a":1}', s = 'y', g = NULL WHERE id = 101;
DELETE FROM misc WHERE id = 103;
CREATE TEMPORARY TABLE tmp_more AS SELECT * FROM more;
UPDATE tmp_more SET id = id + 100;
INSERT INTO more SELECT * FROM tmp_more;
UPDATE more SET fmd = 1.25, e2 = 'c', d = '0001-01-01', u = 'ffffffff-ffff-ffff-ffff-ffffffffffff' WHERE id = 101;
DELETE FROM more WHERE id = 102;
INSERT INTO One VALUES (2, 'two');
INSERT INTO `Grüße$1` VALUES (3, 'drei');

-- A table made while streaming: Debezium's streaming takes its types from this DDL text (BOOLEAN,
-- REAL, JSON), where its snapshot (and dromedary, in both) take them from the server.
CREATE TABLE ddl_typed (id INT PRIMARY KEY, b BOOLEAN, r REAL, j JSON) DEFAULT CHARSET utf8mb4;
INSERT INTO ddl_typed VALUES (1, TRUE, 1.5, '{"a": [1, 2]}'), (2, FALSE, -0.25, NULL);
