-- CreateTable
CREATE TABLE "live_state" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "cursor_seq" BIGINT NOT NULL,
    "max_trace_key" BIGINT NOT NULL,
    "lease_owner" TEXT NOT NULL,
    "lease_until_ms" BIGINT NOT NULL,
    "analyzed_at_ms" BIGINT NOT NULL,
    "pending_dropped" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "live_pending" (
    "trace_key" BIGINT NOT NULL,
    "span_id" BLOB NOT NULL,
    "trace_id" TEXT NOT NULL,
    "due_ms" BIGINT NOT NULL,
    "minute" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "target_name" TEXT NOT NULL,
    "peer_service" TEXT,
    "duration_ms" REAL NOT NULL,
    "error" BOOLEAN NOT NULL,

    PRIMARY KEY ("trace_key", "span_id")
);

-- CreateTable
CREATE TABLE "edge_rollups" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "paired" INTEGER NOT NULL,
    "unpaired" INTEGER NOT NULL,
    "latency" BLOB NOT NULL,
    "server_latency" BLOB,
    "peer_service" TEXT,
    "trace_ids" TEXT NOT NULL,

    PRIMARY KEY ("res", "bucket", "source", "target", "kind")
);

-- CreateTable
CREATE TABLE "node_rollups" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "node_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "latency" BLOB NOT NULL,
    "self_ms" REAL NOT NULL,
    "loose_ms" REAL NOT NULL,

    PRIMARY KEY ("res", "bucket", "node_id")
);

-- CreateTable
CREATE TABLE "operation_rollups" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "service" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "latency" BLOB NOT NULL,
    "self_ms" REAL NOT NULL,

    PRIMARY KEY ("res", "bucket", "service", "operation")
);

-- CreateTable
CREATE TABLE "table_rollups" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "node_id" TEXT NOT NULL,
    "table_name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "reads" INTEGER NOT NULL,
    "writes" INTEGER NOT NULL,

    PRIMARY KEY ("res", "bucket", "node_id", "table_name", "service")
);

-- CreateTable
CREATE TABLE "quality_rollups" (
    "res" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "spans" INTEGER NOT NULL,
    "unpaired_clients" INTEGER NOT NULL,
    "late_pairs" INTEGER NOT NULL,
    "unpaired_producers" INTEGER NOT NULL,
    "orphan_servers" INTEGER NOT NULL,

    PRIMARY KEY ("res", "bucket")
);

-- CreateTable
CREATE TABLE "graph_nodes" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "db_system" TEXT,
    "address" TEXT,
    "namespace" TEXT,
    "identity_known" BOOLEAN,
    "messaging_system" TEXT,
    "destination" TEXT
);
