-- CreateIndex
CREATE INDEX "document_created_by_id_status_idx" ON "document"("created_by_id", "status");

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_started_by_id_fkey" FOREIGN KEY ("started_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
