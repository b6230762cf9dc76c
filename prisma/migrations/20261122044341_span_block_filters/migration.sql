-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_span_blocks" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "service_id" INTEGER NOT NULL,
    "min_seq" INTEGER NOT NULL,
    "max_seq" INTEGER NOT NULL,
    "min_start_ns" BIGINT NOT NULL,
    "max_start_ns" BIGINT NOT NULL,
    "max_end_ns" BIGINT NOT NULL,
    "spans" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL DEFAULT 2147483647,
    "max_duration_ns" BIGINT NOT NULL DEFAULT 9223372036854775807
);
INSERT INTO "new_span_blocks" ("id", "max_end_ns", "max_seq", "max_start_ns", "min_seq", "min_start_ns", "service_id", "spans") SELECT "id", "max_end_ns", "max_seq", "max_start_ns", "min_seq", "min_start_ns", "service_id", "spans" FROM "span_blocks";
DROP TABLE "span_blocks";
ALTER TABLE "new_span_blocks" RENAME TO "span_blocks";
CREATE INDEX "span_blocks_service_time" ON "span_blocks"("service_id", "max_start_ns");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
