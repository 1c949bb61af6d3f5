-- CreateIndex
CREATE INDEX "expert_conclusion_approval_id_idx" ON "expert_conclusion"("approval_id");
