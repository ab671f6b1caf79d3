-- The tables and the rows that exist before capture starts (read by the snapshot). Run in database
-- dbz_golden, which is created empty first. Every table has the same first rows again in stream.sql, so
-- each value is encoded once from the snapshot's text protocol and once from the binlog's rows.
-- YEAR 0000 is only in stream.sql: Debezium 3.6.1's snapshot fails on it (the MariaDB JDBC driver's
-- YEAR column throws IllegalArgumentException from java.sql.Date.valueOf).
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';

CREATE TABLE ints (
  id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED
) DEFAULT CHARSET utf8mb4;

CREATE TABLE nums (
  id INT PRIMARY KEY,
  d65 DECIMAL(65,30), d10 DECIMAL(10,2), du DECIMAL(5,0) UNSIGNED, f FLOAT, db DOUBLE,
  b1 BIT(1), b10 BIT(10), b64 BIT(64), bo BOOLEAN
) DEFAULT CHARSET utf8mb4;

CREATE TABLE strs (
  id INT PRIMARY KEY,
  c CHAR(10), vc VARCHAR(50), tt TINYTEXT, t TEXT, lt LONGTEXT, l1 VARCHAR(20) CHARACTER SET latin1,
  bn BINARY(4), vb VARBINARY(10), bl BLOB
) DEFAULT CHARSET utf8mb4;

CREATE TABLE times (
  id INT PRIMARY KEY,
  d DATE, y YEAR,
  t0 TIME, t1 TIME(1), t2 TIME(2), t3 TIME(3), t4 TIME(4), t5 TIME(5), t6 TIME(6),
  dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3), dt4 DATETIME(4), dt5 DATETIME(5),
  dt6 DATETIME(6),
  ts0 TIMESTAMP NULL DEFAULT NULL, ts1 TIMESTAMP(1) NULL DEFAULT NULL, ts2 TIMESTAMP(2) NULL DEFAULT NULL,
  ts3 TIMESTAMP(3) NULL DEFAULT NULL, ts4 TIMESTAMP(4) NULL DEFAULT NULL, ts5 TIMESTAMP(5) NULL DEFAULT NULL,
  ts6 TIMESTAMP(6) NULL DEFAULT NULL
) DEFAULT CHARSET utf8mb4;

-- What the first comparisons found different (issue 16): FLOAT(M,D) (a double in Debezium), an ENUM
-- value with a comma, years written with two digits, MariaDB's UUID type, text in character sets
-- other than UTF-8; One: a table of one row (first and last at once) whose capital letter sorts it
-- before the others.
CREATE TABLE more (
  id INT PRIMARY KEY,
  fmd FLOAT(5,2), e2 ENUM('a,b','c'), d DATE, dt DATETIME, u UUID,
  l2 VARCHAR(20) CHARACTER SET latin2, w1250 VARCHAR(20) CHARACTER SET cp1250, k8 VARCHAR(20) CHARACTER SET koi8r,
  sj VARCHAR(20) CHARACTER SET sjis, gr VARCHAR(20) CHARACTER SET greek, u2 VARCHAR(20) CHARACTER SET ucs2,
  u16 VARCHAR(20) CHARACTER SET utf16
) DEFAULT CHARSET utf8mb4;

CREATE TABLE One (id INT PRIMARY KEY, v VARCHAR(10)) DEFAULT CHARSET utf8mb4;

-- A name Kafka refuses as a topic: Debezium replaces each character (not each byte) by '_' and names
-- the schemas after the topic.
CREATE TABLE `Grüße$1` (id INT PRIMARY KEY, v VARCHAR(10)) DEFAULT CHARSET utf8mb4;

CREATE TABLE misc (
  id INT PRIMARY KEY,
  e ENUM('a','b','c d'), s SET('x','y','z'), j JSON, g GEOMETRY, p POINT
) DEFAULT CHARSET utf8mb4;

INSERT INTO ints VALUES
  (1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
  (2, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808,
      18446744073709551615),
  (3, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 9223372036854775808),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO nums VALUES
  (1, 12345678901234567890123456789012345.123456789012345678901234567890, 12345678.91, 99999, 1.5, 2.25,
      b'1', b'1010101010', b'1111111111111111111111111111111111111111111111111111111111111111', TRUE),
  (2, -0.000000000000000000000000000001, -0.01, 0, -3.25e10, -1.7976931348623157e308, b'0', b'0',
      b'0000000000000000000000000000000000000000000000000000000000000001', FALSE),
  (3, 0, 0, 1, 0, 0.1, b'1', b'1000000000', b'1000000000000000000000000000000000000000000000000000000000000000', 5),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO strs VALUES
  (1, 'abc', 'héllo wörld', 'tiny', 'text with "quotes" and \\ backslash', '😀 four-byte 𝄞', 'café',
      X'00010203', X'DEADBEEF', X'00FF00FF'),
  (2, '', '', '', '', '', '', X'61', X'', X''),
  (3, '😀😀', 'tab\tnew\nline', '中文', '<>&\'', REPEAT('x', 300), 'Ÿ', 'ab', 'a\0b', 'blob'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO times VALUES
  (1, '2024-02-29', 2024,
      '12:34:56', '12:34:56.1', '12:34:56.12', '12:34:56.123', '12:34:56.1234', '12:34:56.12345',
      '12:34:56.123456',
      '2024-02-29 12:34:56', '2024-02-29 12:34:56.1', '2024-02-29 12:34:56.12', '2024-02-29 12:34:56.123',
      '2024-02-29 12:34:56.1234', '2024-02-29 12:34:56.12345', '2024-02-29 12:34:56.123456',
      '2024-02-29 12:34:56', '2024-02-29 12:34:56.1', '2024-02-29 12:34:56.12', '2024-02-29 12:34:56.123',
      '2024-02-29 12:34:56.1234', '2024-02-29 12:34:56.12345', '2024-02-29 12:34:56.123456'),
  (2, '1000-01-01', 1901,
      '-838:59:59', '-838:59:58.9', '-00:00:01.5', '-01:02:03.004', '-00:00:00.0001', '-12:00:00.00001',
      '-838:59:58.999999',
      '1000-01-01 00:00:00', '1969-12-31 23:59:59.9', '1970-01-01 00:00:00.01', '1899-12-31 23:59:59.999',
      '9999-12-31 23:59:59.9999', '1969-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
      '1970-01-01 00:00:01', '2038-01-19 03:14:07.9', '1999-12-31 23:59:59.99', '2000-01-01 00:00:00.001',
      '2038-01-19 03:14:07.9999', '1980-06-15 08:00:00.00001', '2038-01-19 03:14:07.999999'),
  (3, '0000-00-00', 2155,
      '838:59:59', '00:00:00', '00:00:00.01', '23:59:59.999', '100:00:00.0001', '00:00:00.00001',
      '838:59:59.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.000',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.00000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.000',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.00000', '0000-00-00 00:00:00.000000'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO misc VALUES
  (1, 'a', 'x,z', '{"k": [1, 2.5, "😀", null, true]}', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0.5)'),
      ST_GeomFromText('POINT(1.5 -2.25)')),
  (2, 'c d', '', '[]', ST_GeomFromText('POINT(3 4)', 4326), ST_GeomFromText('POINT(0 0)')),
  (3, '', 'x,y,z', '"str"', ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))'), NULL),
  (4, NULL, NULL, NULL, NULL, NULL);

INSERT INTO more VALUES
  (1, 5.61, 'a,b', '0018-04-01', '0018-04-01 12:34:56', '123e4567-e89b-12d3-a456-426614174000',
      'Žluťoučký kůň', 'Žluťoučký kůň', 'Привет', 'こんにちは', 'Καλημέρα', 'Ω€', 'Ω𝄞'),
  (2, -123.45, 'c', '0069-12-31', '0070-01-01 00:00:00', NULL, '', '', '', '', '', '', ''),
  (3, NULL, NULL, '0100-01-01', '1999-01-01 00:00:00', '00000000-0000-0000-0000-000000000001',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO One VALUES (1, 'only');
INSERT INTO `Grüße$1` VALUES (1, 'eins'), (2, 'zwei');
