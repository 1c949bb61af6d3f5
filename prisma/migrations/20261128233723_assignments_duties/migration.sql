-- CreateEnum
CREATE TYPE "AssignmentStatus" AS ENUM ('new', 'in_work', 'on_check', 'done', 'done_late', 'overdue', 'cancelled');

-- CreateEnum
CREATE TYPE "ExtensionStatus" AS ENUM ('pending', 'granted', 'refused');

-- CreateTable
CREATE TABLE "assignment" (
    "id" UUID NOT NULL,
    "parent_id" UUID,
    "root_id" UUID NOT NULL,
    "document_id" UUID,
    "text" TEXT NOT NULL,
    "issued_by_id" UUID NOT NULL,
    "executor_id" UUID NOT NULL,
    "unit_id" UUID NOT NULL,
    "controller_id" UUID NOT NULL,
    "starts_on" DATE NOT NULL,
    "term_days" INTEGER,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "original_due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "AssignmentStatus" NOT NULL DEFAULT 'new',
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "reported_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "row_version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment_co_executor" (
    "assignment_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,

    CONSTRAINT "assignment_co_executor_pkey" PRIMARY KEY ("assignment_id","user_id")
);

-- CreateTable
CREATE TABLE "assignment_report" (
    "id" UUID NOT NULL,
    "assignment_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "files" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "assignment_report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "extension" (
    "id" UUID NOT NULL,
    "assignment_id" UUID NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "previous_due_at" TIMESTAMPTZ(3) NOT NULL,
    "requested_due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "ExtensionStatus" NOT NULL DEFAULT 'pending',
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "comment" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "extension_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "duty_assignment" (
    "id" UUID NOT NULL,
    "position_id" UUID NOT NULL,
    "duty_id" UUID,
    "text" TEXT NOT NULL,
    "substitute_position_id" UUID,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "duty_assignment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "assignment_root_id_idx" ON "assignment"("root_id");

-- CreateIndex
CREATE INDEX "assignment_parent_id_idx" ON "assignment"("parent_id");

-- CreateIndex
CREATE INDEX "assignment_executor_id_status_idx" ON "assignment"("executor_id", "status");

-- CreateIndex
CREATE INDEX "assignment_controller_id_status_idx" ON "assignment"("controller_id", "status");

-- CreateIndex
CREATE INDEX "assignment_unit_id_issued_at_idx" ON "assignment"("unit_id", "issued_at");

-- CreateIndex
CREATE INDEX "assignment_issued_at_idx" ON "assignment"("issued_at");

-- CreateIndex
CREATE INDEX "assignment_status_due_at_idx" ON "assignment"("status", "due_at");

-- CreateIndex
CREATE INDEX "assignment_document_id_idx" ON "assignment"("document_id");

-- CreateIndex
CREATE INDEX "assignment_co_executor_user_id_idx" ON "assignment_co_executor"("user_id");

-- CreateIndex
CREATE INDEX "assignment_report_assignment_id_created_at_idx" ON "assignment_report"("assignment_id", "created_at");

-- CreateIndex
CREATE INDEX "extension_assignment_id_idx" ON "extension"("assignment_id");

-- CreateIndex
CREATE INDEX "duty_assignment_position_id_idx" ON "duty_assignment"("position_id");

-- CreateIndex
CREATE INDEX "duty_assignment_duty_id_idx" ON "duty_assignment"("duty_id");

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "assignment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_issued_by_id_fkey" FOREIGN KEY ("issued_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_executor_id_fkey" FOREIGN KEY ("executor_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_controller_id_fkey" FOREIGN KEY ("controller_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_co_executor" ADD CONSTRAINT "assignment_co_executor_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_co_executor" ADD CONSTRAINT "assignment_co_executor_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_report" ADD CONSTRAINT "assignment_report_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "extension" ADD CONSTRAINT "extension_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "duty_assignment" ADD CONSTRAINT "duty_assignment_position_id_fkey" FOREIGN KEY ("position_id") REFERENCES "position"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "duty_assignment" ADD CONSTRAINT "duty_assignment_substitute_position_id_fkey" FOREIGN KEY ("substitute_position_id") REFERENCES "position"("id") ON DELETE SET NULL ON UPDATE CASCADE;
