-- The options run (tests/debezium/options/debezium.properties): tables whose columns the column
-- mappers, the key override and the propagated source types act on, and the rows read by the
-- snapshot. Run in database dbz_golden, created empty first; stream.sql inserts the same rows again
-- under new keys and deletes some, so each value is mapped once from the snapshot and once from the
-- binlog.
SET SESSION sql_mode = '';

-- masked, hashed (v1 and v2, cut to the column's length or not) and truncated text; a column that
-- matches two rules (Debezium applies the first one only); numbers with their source types
CREATE TABLE people (
  id INT PRIMARY KEY,
  email VARCHAR(40), email2 VARCHAR(100), md CHAR(8), phone CHAR(12), ssn VARCHAR(11),
  note TEXT, name VARCHAR(30), latin VARCHAR(20) CHARACTER SET latin1, region VARCHAR(10) NOT NULL,
  code INT NOT NULL, amount DECIMAL(10,2), cnt INT UNSIGNED, big BIGINT, ratio DOUBLE,
  e ENUM('red','green'), d DATE, b VARBINARY(8)
) DEFAULT CHARSET utf8mb4;

-- a key made of other columns (region, code instead of id), and a table without a primary key
-- given one
CREATE TABLE orders (id INT PRIMARY KEY, sku VARCHAR(10), qty INT) DEFAULT CHARSET utf8mb4;
CREATE TABLE nopk (a INT, b VARCHAR(10), c VARCHAR(10)) DEFAULT CHARSET utf8mb4;

INSERT INTO people VALUES
  (1, 'alice@example.com', 'alice@example.com', 'abc', '+41 555 1234', '123-45-6789',
      'a long note about alice', 'Alice Anderson', 'café', 'eu', 7, 12.50, 3, -9, 0.5, 'red',
      '2020-01-02', X'0102'),
  (2, 'Grüße 😀 ünïcödé', 'Grüße 😀 ünïcödé', '😀x', '', '', '', '😀😀😀😀😀😀', 'Ÿ€', 'us', 8, -0.01, 0, 0, 0,
      'green', '1999-12-31', X''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'ap', 9, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO orders VALUES (1, 'A-1000', 2), (2, NULL, 0);
INSERT INTO nopk VALUES (1, 'x', 'y'), (2, NULL, 'z');

-- every other kind of column with its source type propagated (length and scale as Debezium reads
-- them from the table's definition)
CREATE TABLE typed (
  id INT PRIMARY KEY, tt TINYTEXT, t TEXT, mt MEDIUMTEXT, lt LONGTEXT, s SET('x','yy'), ch CHAR(3),
  dt DATETIME(3), tm TIME, ts TIMESTAMP(6) NULL DEFAULT NULL, y YEAR, f FLOAT(5,2), fl FLOAT, bt BIT(3),
  ti TINYINT(1), si SMALLINT UNSIGNED, j JSON, bl BLOB, bn BINARY(2), dc DECIMAL(5,0), n NUMERIC(7,3)
) DEFAULT CHARSET utf8mb4;
INSERT INTO typed VALUES (1, 'a', 'b', 'c', 'd', 'x,yy', 'abc', '2020-01-02 03:04:05.678', '01:02:03',
  '2020-01-02 03:04:05.123456', 2024, 1.5, 2.5, b'101', 1, 7, '{"k":1}', X'00', X'0102', 5, 1.234);

-- truncation of what is not text (Debezium cuts Strings and ByteBuffers only, whatever the column
-- type) and a masked column with a default (the mask replaces NULL before the default would)
CREATE TABLE extra (
  id INT PRIMARY KEY, d DECIMAL(10,2), bt BIT(10), vb VARBINARY(10), ts TIMESTAMP(6) NULL DEFAULT NULL,
  j JSON, big BIGINT, m VARCHAR(10) DEFAULT 'dflt'
) DEFAULT CHARSET utf8mb4;
INSERT INTO extra VALUES (1, 123.45, b'1010101010', X'0102030405', '2020-01-02 03:04:05.123456', '{"a":1}',
  1234567, NULL);
