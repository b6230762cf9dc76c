-- CreateTable
CREATE TABLE "rollup_keys" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "type" INTEGER NOT NULL,
    "a" TEXT NOT NULL,
    "b" TEXT NOT NULL DEFAULT '',
    "c" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "graph_blocks" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "body" BLOB NOT NULL,

    PRIMARY KEY ("res", "bucket")
);

-- CreateIndex
CREATE UNIQUE INDEX "rollup_keys_identity" ON "rollup_keys"("type", "a", "b", "c");
