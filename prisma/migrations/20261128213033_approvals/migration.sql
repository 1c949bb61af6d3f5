-- CreateEnum
CREATE TYPE "DirectorateTopic" AS ENUM ('digitalization', 'it_services', 'information_security', 'information_policy', 'open_data');

-- CreateEnum
CREATE TYPE "StageKind" AS ENUM ('visa', 'expert_review', 'legal_review', 'signing', 'approval', 'acknowledgment');

-- CreateEnum
CREATE TYPE "StageRule" AS ENUM ('all', 'any');

-- CreateEnum
CREATE TYPE "ApprovalState" AS ENUM ('running', 'returned', 'completed', 'withdrawn');

-- CreateEnum
CREATE TYPE "StageState" AS ENUM ('pending', 'active', 'done', 'returned', 'skipped');

-- CreateEnum
CREATE TYPE "VisaDecision" AS ENUM ('approve', 'approve_with_remarks', 'return');

-- CreateEnum
CREATE TYPE "ConclusionResult" AS ENUM ('positive', 'positive_with_remarks', 'negative');

-- CreateEnum
CREATE TYPE "CalendarDayKind" AS ENUM ('day_off', 'working');

-- AlterTable
ALTER TABLE "document" ADD COLUMN     "topics" "DirectorateTopic"[];

-- CreateTable
CREATE TABLE "route_template" (
    "id" UUID NOT NULL,
    "kind" "DocumentKind" NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "current" BOOLEAN NOT NULL DEFAULT true,
    "restart_from_first" BOOLEAN NOT NULL DEFAULT false,
    "expert_review_always" BOOLEAN NOT NULL DEFAULT false,
    "stages" JSONB NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "route_template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "state" "ApprovalState" NOT NULL DEFAULT 'running',
    "round" INTEGER NOT NULL DEFAULT 1,
    "row_version" INTEGER NOT NULL DEFAULT 0,
    "started_by_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_stage" (
    "id" UUID NOT NULL,
    "approval_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "StageKind" NOT NULL,
    "rule" "StageRule" NOT NULL,
    "deadline_days" INTEGER NOT NULL,
    "state" "StageState" NOT NULL DEFAULT 'pending',
    "activated_at" TIMESTAMPTZ(3),
    "due_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "approval_stage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_participant" (
    "id" UUID NOT NULL,
    "stage_id" UUID NOT NULL,
    "position_id" UUID NOT NULL,
    "mandatory" BOOLEAN NOT NULL DEFAULT true,
    "added_by_id" UUID,

    CONSTRAINT "approval_participant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "visa" (
    "id" UUID NOT NULL,
    "approval_id" UUID NOT NULL,
    "stage_id" UUID NOT NULL,
    "participant_id" UUID NOT NULL,
    "round" INTEGER NOT NULL,
    "decision" "VisaDecision" NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "user_id" UUID NOT NULL,
    "on_behalf_of_id" UUID,
    "position_title" TEXT NOT NULL,
    "full_name" TEXT NOT NULL,
    "on_behalf_of_name" TEXT,
    "version_id" UUID NOT NULL,
    "version_number" INTEGER NOT NULL,
    "version_sha256" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "visa_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "expert_conclusion" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "approval_id" UUID NOT NULL,
    "visa_id" UUID NOT NULL,
    "result" "ConclusionResult" NOT NULL,
    "remarks" JSONB NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "version_id" UUID NOT NULL,
    "version_sha256" TEXT NOT NULL,
    "pdf_sha256" TEXT NOT NULL,
    "pdf_size" INTEGER NOT NULL,
    "author_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "expert_conclusion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "version_text" (
    "version_id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "error" TEXT,
    "extracted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "version_text_pkey" PRIMARY KEY ("version_id")
);

-- CreateTable
CREATE TABLE "substitution" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "substitute_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "substitution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_day" (
    "date" DATE NOT NULL,
    "kind" "CalendarDayKind" NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calendar_day_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "link" TEXT,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),
    "emailed_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "route_template_kind_current_idx" ON "route_template"("kind", "current");

-- CreateIndex
CREATE UNIQUE INDEX "route_template_kind_version_key" ON "route_template"("kind", "version");

-- CreateIndex
CREATE INDEX "approval_document_id_idx" ON "approval"("document_id");

-- CreateIndex
CREATE INDEX "approval_state_idx" ON "approval"("state");

-- CreateIndex
CREATE INDEX "approval_stage_state_due_at_idx" ON "approval_stage"("state", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "approval_stage_approval_id_index_key" ON "approval_stage"("approval_id", "index");

-- CreateIndex
CREATE INDEX "approval_participant_position_id_idx" ON "approval_participant"("position_id");

-- CreateIndex
CREATE UNIQUE INDEX "approval_participant_stage_id_position_id_key" ON "approval_participant"("stage_id", "position_id");

-- CreateIndex
CREATE INDEX "visa_approval_id_round_idx" ON "visa"("approval_id", "round");

-- CreateIndex
CREATE INDEX "visa_user_id_idx" ON "visa"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "visa_participant_id_round_key" ON "visa"("participant_id", "round");

-- CreateIndex
CREATE UNIQUE INDEX "expert_conclusion_visa_id_key" ON "expert_conclusion"("visa_id");

-- CreateIndex
CREATE INDEX "expert_conclusion_document_id_idx" ON "expert_conclusion"("document_id");

-- CreateIndex
CREATE INDEX "substitution_user_id_starts_at_ends_at_idx" ON "substitution"("user_id", "starts_at", "ends_at");

-- CreateIndex
CREATE INDEX "substitution_substitute_id_idx" ON "substitution"("substitute_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_dedupe_key_key" ON "notification"("dedupe_key");

-- CreateIndex
CREATE INDEX "notification_user_id_read_at_created_at_idx" ON "notification"("user_id", "read_at", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "route_template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_stage" ADD CONSTRAINT "approval_stage_approval_id_fkey" FOREIGN KEY ("approval_id") REFERENCES "approval"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_participant" ADD CONSTRAINT "approval_participant_stage_id_fkey" FOREIGN KEY ("stage_id") REFERENCES "approval_stage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visa" ADD CONSTRAINT "visa_approval_id_fkey" FOREIGN KEY ("approval_id") REFERENCES "approval"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visa" ADD CONSTRAINT "visa_stage_id_fkey" FOREIGN KEY ("stage_id") REFERENCES "approval_stage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visa" ADD CONSTRAINT "visa_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "approval_participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "expert_conclusion" ADD CONSTRAINT "expert_conclusion_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "expert_conclusion" ADD CONSTRAINT "expert_conclusion_approval_id_fkey" FOREIGN KEY ("approval_id") REFERENCES "approval"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "expert_conclusion" ADD CONSTRAINT "expert_conclusion_visa_id_fkey" FOREIGN KEY ("visa_id") REFERENCES "visa"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "version_text" ADD CONSTRAINT "version_text_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "version"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "substitution" ADD CONSTRAINT "substitution_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "substitution" ADD CONSTRAINT "substitution_substitute_id_fkey" FOREIGN KEY ("substitute_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification" ADD CONSTRAINT "notification_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
