-- DropIndex
DROP INDEX "spans_service_time";

-- CreateTable
CREATE TABLE "span_blocks" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "service_id" INTEGER NOT NULL,
    "min_seq" INTEGER NOT NULL,
    "max_seq" INTEGER NOT NULL,
    "min_start_ns" BIGINT NOT NULL,
    "max_start_ns" BIGINT NOT NULL,
    "max_end_ns" BIGINT NOT NULL,
    "spans" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "span_blocks_service_time" ON "span_blocks"("service_id", "max_start_ns");
