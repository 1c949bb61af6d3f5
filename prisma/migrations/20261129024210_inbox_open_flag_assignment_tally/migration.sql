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

-- Discipline report totals (server/reports/discipline.ts). Written by hand: Prisma does not
-- model triggers or functions. assignment_tally counts the SETTLED assignments (done,
-- done_late, overdue, cancelled: their place in the report no longer depends on the clock) by
-- Kyiv issue day, unit, executor, status and "deadline moved" (due_at > original_due_at; the
-- report leaves cancelled ones out of "extended" itself). Open assignments are not counted
-- here: whether one is "overdue" or "open" depends on when the report is asked for, so the
-- report reads them live (few, through assignment(status, issued_at)). A row exists only while
-- its n > 0, so the table equals the GROUP BY in assignment_tally_rebuild() at all times.

-- Keeps the tally in step with every row change, in the writing transaction: the OLD row's key
-- loses one, the NEW row's key gains one (each only when settled). Both changes go in one
-- upsert in key order, so two transactions moving rows between the same keys lock them in the
-- same order and cannot deadlock on each other.
CREATE FUNCTION assignment_tally_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_settled boolean := false;
  new_settled boolean := false;
  old_day date;
  new_day date;
  left_n integer;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    old_settled := OLD.status IN ('done', 'done_late', 'overdue', 'cancelled');
    old_day := (OLD.issued_at AT TIME ZONE 'Europe/Kyiv')::date;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    new_settled := NEW.status IN ('done', 'done_late', 'overdue', 'cancelled');
    new_day := (NEW.issued_at AT TIME ZONE 'Europe/Kyiv')::date;
  END IF;
  -- Most updates (a report text, started_at, row_version) leave the key as it was.
  IF old_settled AND new_settled
     AND (old_day, OLD.unit_id, OLD.executor_id, OLD.status, OLD.due_at > OLD.original_due_at)
       = (new_day, NEW.unit_id, NEW.executor_id, NEW.status, NEW.due_at > NEW.original_due_at) THEN
    RETURN NULL;
  END IF;
  IF NOT old_settled AND NOT new_settled THEN
    RETURN NULL;
  END IF;

  INSERT INTO "assignment_tally" AS t ("day", "unit_id", "executor_id", "status", "extended", "n")
  SELECT k.day, k.unit_id, k.executor_id, k.status, k.extended, k.n
    FROM (VALUES
      (old_settled, old_day, OLD.unit_id, OLD.executor_id, OLD.status, OLD.due_at > OLD.original_due_at, -1),
      (new_settled, new_day, NEW.unit_id, NEW.executor_id, NEW.status, NEW.due_at > NEW.original_due_at, 1)
    ) AS k (settled, day, unit_id, executor_id, status, extended, n)
   WHERE k.settled
   ORDER BY k.day, k.unit_id, k.executor_id, k.status, k.extended
  ON CONFLICT ("day", "unit_id", "executor_id", "status", "extended") DO UPDATE SET "n" = t."n" + excluded."n";

  -- The last assignment left its key: drop the row rather than keep a zero.
  IF old_settled THEN
    DELETE FROM "assignment_tally"
     WHERE "day" = old_day AND "unit_id" = OLD.unit_id AND "executor_id" = OLD.executor_id
       AND "status" = OLD.status AND "extended" = (OLD.due_at > OLD.original_due_at) AND "n" = 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "assignment_tally_track" AFTER INSERT OR UPDATE OR DELETE ON "assignment"
  FOR EACH ROW EXECUTE FUNCTION assignment_tally_track();

-- The tally from scratch: the backfill below, and after bulk loads that bypass the trigger
-- (bench/report-data.ts loads with session_replication_role = replica, which skips triggers).
-- Writers of assignment wait meanwhile (SHARE lock), so no change slips between the two steps.
CREATE FUNCTION assignment_tally_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "assignment" IN SHARE MODE;
  DELETE FROM "assignment_tally";
  INSERT INTO "assignment_tally" ("day", "unit_id", "executor_id", "status", "extended", "n")
  SELECT (a."issued_at" AT TIME ZONE 'Europe/Kyiv')::date, a."unit_id", a."executor_id", a."status", a."due_at" > a."original_due_at", count(*)::int
    FROM "assignment" a
   WHERE a."status" IN ('done', 'done_late', 'overdue', 'cancelled')
   GROUP BY 1, 2, 3, 4, 5
   -- In key order, so a period's rows lie together on disk (the report reads a range of days).
   ORDER BY 1, 2, 3, 4, 5;
END
$$;

-- Backfill from the assignments there are.
SELECT assignment_tally_rebuild();
