-- CreateTable (unlogged: a row lives only inside the transaction that wrote it; Prisma does not model this)
CREATE UNLOGGED TABLE "audit_outbox" (
    "n" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "ip" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "audit_outbox_pkey" PRIMARY KEY ("n")
);

-- Written by hand (Prisma does not model triggers). A transaction's audit events go to the
-- outbox as it works; at COMMIT this deferred trigger appends each, in the order written, to
-- audit_event (whose BEFORE INSERT trigger chains it under the audit_head lock) and deletes it.
-- The head row is therefore locked only while the transaction commits; before, it stayed
-- locked from the first audit insert across every later round trip to the application until
-- COMMIT arrived, and concurrent writers queued behind that (see bench/visa.ts). If appending
-- fails, COMMIT fails and nothing of the transaction remains.
CREATE FUNCTION audit_outbox_flush() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "audit_event" ("actor_id", "ip", "action", "target_type", "target_id", "before", "after")
  VALUES (NEW."actor_id", NEW."ip", NEW."action", NEW."target_type", NEW."target_id", NEW."before", NEW."after");
  DELETE FROM "audit_outbox" WHERE "n" = NEW."n";
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "audit_outbox_flush" AFTER INSERT ON "audit_outbox"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_outbox_flush();
