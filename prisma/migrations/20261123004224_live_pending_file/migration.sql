-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_live_state" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "cursor_seq" BIGINT NOT NULL,
    "max_trace_key" BIGINT NOT NULL,
    "lease_owner" TEXT NOT NULL,
    "lease_until_ms" BIGINT NOT NULL,
    "analyzed_at_ms" BIGINT NOT NULL,
    "pending_dropped" BIGINT NOT NULL,
    "flushes" BIGINT NOT NULL DEFAULT 0,
    "pending_file" TEXT NOT NULL DEFAULT '',
    "pending_clients" BIGINT NOT NULL DEFAULT 0
);
INSERT INTO "new_live_state" ("analyzed_at_ms", "cursor_seq", "id", "lease_owner", "lease_until_ms", "max_trace_key", "pending_dropped") SELECT "analyzed_at_ms", "cursor_seq", "id", "lease_owner", "lease_until_ms", "max_trace_key", "pending_dropped" FROM "live_state";
DROP TABLE "live_state";
ALTER TABLE "new_live_state" RENAME TO "live_state";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
