-- DropIndex
DROP INDEX "traces_trace_id";
