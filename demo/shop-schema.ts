// The shop database (shop.db) that orders and inventory both open: the planted shared-database
// smell. One schema, created by whichever service starts first (IF NOT EXISTS, busy timeout).
export const SHOP_SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  reserved_ms INTEGER
);
CREATE TABLE IF NOT EXISTS order_lines (
  order_id INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS order_lines_order ON order_lines (order_id);
CREATE TABLE IF NOT EXISTS stock (
  product_id INTEGER PRIMARY KEY,
  available INTEGER NOT NULL
);
INSERT OR IGNORE INTO stock (product_id, available)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) SELECT i, 1000000 FROM n;
`;

/** Products the shop sells: ids 1..40. */
export const PRODUCT_IDS = Array.from({ length: 40 }, (_, i) => i + 1);
