-- CreateTable
CREATE TABLE "rollup_buckets" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "version" BIGINT NOT NULL,

    PRIMARY KEY ("res", "bucket")
);

-- Backfill: buckets written before versions existed start at version 1.
INSERT INTO "rollup_buckets" ("res", "bucket", "version")
SELECT DISTINCT "res", "bucket", 1 FROM "node_rollups"
UNION SELECT DISTINCT "res", "bucket", 1 FROM "edge_rollups";
