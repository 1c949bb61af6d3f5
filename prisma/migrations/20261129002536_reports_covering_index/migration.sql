-- DropIndex
DROP INDEX "assignment_issued_at_idx";

-- CreateIndex
CREATE INDEX "assignment_issued_at_unit_id_executor_id_status_due_at_orig_idx" ON "assignment"("issued_at", "unit_id", "executor_id", "status", "due_at", "original_due_at");
