-- CreateTable
CREATE TABLE "traces" (
    "key" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "trace_id" BLOB NOT NULL
);

-- CreateTable
CREATE TABLE "spans" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "trace_key" INTEGER NOT NULL,
    "span_id" BLOB NOT NULL,
    "kind" INTEGER NOT NULL,
    "parent_id" BLOB,
    "start_ns" BIGINT NOT NULL,
    "duration_ns" BIGINT NOT NULL,
    "service_id" INTEGER NOT NULL,
    "operation_id" INTEGER NOT NULL,
    "resource_id" INTEGER NOT NULL,
    "scope_id" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "payload" BLOB NOT NULL
);

-- CreateTable
CREATE TABLE "span_minutes" (
    "minute" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "min_seq" INTEGER NOT NULL,
    "max_seq" INTEGER NOT NULL,
    "spans" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "services" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "operations" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "service_id" INTEGER NOT NULL,
    "name_id" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "dict_strings" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "value" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "attr_pairs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key_id" INTEGER NOT NULL,
    "value" BLOB NOT NULL
);

-- CreateTable
CREATE TABLE "resources" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "encoded" BLOB NOT NULL,
    "service_id" INTEGER NOT NULL,
    "service_name" TEXT NOT NULL,
    "service_namespace" TEXT,
    "service_version" TEXT,
    "service_instance_id" TEXT,
    "sdk_name" TEXT,
    "sdk_language" TEXT,
    "sdk_version" TEXT
);

-- CreateTable
CREATE TABLE "scopes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "encoded" BLOB NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT
);

-- CreateTable
CREATE TABLE "metric_descriptors" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "encoded" BLOB NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "unit" TEXT,
    "type" TEXT NOT NULL,
    "temporality" TEXT,
    "monotonic" BOOLEAN
);

-- CreateTable
CREATE TABLE "metric_points" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "descriptor_id" INTEGER NOT NULL,
    "service_id" INTEGER NOT NULL,
    "resource_id" INTEGER NOT NULL,
    "scope_id" INTEGER NOT NULL,
    "start_ns" BIGINT,
    "time_ns" BIGINT NOT NULL,
    "value" REAL,
    "payload" BLOB NOT NULL
);

-- CreateTable
CREATE TABLE "log_records" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "service_id" INTEGER NOT NULL,
    "resource_id" INTEGER NOT NULL,
    "scope_id" INTEGER NOT NULL,
    "time_ns" BIGINT NOT NULL,
    "observed_time_ns" BIGINT,
    "severity_number" INTEGER,
    "severity_text" TEXT,
    "trace_id" BLOB,
    "span_id" BLOB,
    "payload" BLOB NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "traces_trace_id" ON "traces"("trace_id");

-- CreateIndex
CREATE INDEX "spans_service_time" ON "spans"("service_id", "start_ns");

-- CreateIndex
CREATE UNIQUE INDEX "spans_identity" ON "spans"("trace_key", "span_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "services_name" ON "services"("name");

-- CreateIndex
CREATE UNIQUE INDEX "operations_service_name" ON "operations"("service_id", "name_id");

-- CreateIndex
CREATE UNIQUE INDEX "dict_strings_value" ON "dict_strings"("value");

-- CreateIndex
CREATE UNIQUE INDEX "attr_pairs_key_value" ON "attr_pairs"("key_id", "value");

-- CreateIndex
CREATE UNIQUE INDEX "resources_encoded" ON "resources"("encoded");

-- CreateIndex
CREATE UNIQUE INDEX "scopes_encoded" ON "scopes"("encoded");

-- CreateIndex
CREATE UNIQUE INDEX "metric_descriptors_encoded" ON "metric_descriptors"("encoded");

-- CreateIndex
CREATE INDEX "metric_descriptors_name" ON "metric_descriptors"("name");

-- CreateIndex
CREATE INDEX "metric_points_descriptor_time" ON "metric_points"("descriptor_id", "time_ns");

-- CreateIndex
CREATE INDEX "metric_points_service_time" ON "metric_points"("service_id", "time_ns");

-- CreateIndex
CREATE INDEX "metric_points_time" ON "metric_points"("time_ns");

-- CreateIndex
CREATE INDEX "log_records_trace" ON "log_records"("trace_id");

-- CreateIndex
CREATE INDEX "log_records_service_time" ON "log_records"("service_id", "time_ns");

-- CreateIndex
CREATE INDEX "log_records_time" ON "log_records"("time_ns");
