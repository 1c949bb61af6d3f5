-- DropIndex
DROP INDEX "approval_participant_position_id_idx";

-- AlterTable
ALTER TABLE "approval_participant" ADD COLUMN     "open" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "assignment_tally" (
    "day" DATE NOT NULL,
    "unit_id" UUID NOT NULL,
    "executor_id" UUID NOT NULL,
    "status" "AssignmentStatus" NOT NULL,
    "extended" BOOLEAN NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "assignment_tally_pkey" PRIMARY KEY ("day","unit_id","executor_id","status","extended")
);

-- CreateIndex
CREATE INDEX "approval_participant_position_id_open_idx" ON "approval_participant"("position_id", "open");

-- CreateIndex
CREATE INDEX "assignment_status_issued_at_idx" ON "assignment"("status", "issued_at");

-- Backfill: a participant's task is open while its stage is active in a running route and it
-- has not acted in the current round (what the inbox used to compute on every request).
UPDATE "approval_participant" ap SET "open" = true
  FROM "approval_stage" st JOIN "approval" a ON a.id = st.approval_id
 WHERE st.id = ap.stage_id AND st.state = 'active' AND a.state = 'running'
   AND NOT EXISTS (SELECT 1 FROM "visa" v WHERE v.participant_id = ap.id AND v.round = a.round);
