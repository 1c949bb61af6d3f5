-- CreateEnum
CREATE TYPE "PadesLevel" AS ENUM ('B_B', 'B_T', 'B_LT', 'B_LTA');

-- CreateEnum
CREATE TYPE "JobDescriptionStatus" AS ENUM ('draft', 'in_approval', 'approved', 'superseded', 'withdrawn');

-- CreateTable
CREATE TABLE "signing_certificate" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "common_name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "serial_number" TEXT NOT NULL,
    "not_before" TIMESTAMPTZ(3) NOT NULL,
    "not_after" TIMESTAMPTZ(3) NOT NULL,
    "sha256" TEXT NOT NULL,
    "key_type" TEXT NOT NULL,
    "sealed" BYTEA NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trust_anchor" (
    "id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "der" BYTEA NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trust_anchor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signature" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "source_version_id" UUID NOT NULL,
    "signed_version_id" UUID NOT NULL,
    "certificate_id" UUID,
    "signer_id" UUID NOT NULL,
    "on_behalf_of_id" UUID,
    "approval_id" UUID,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "serial_number" TEXT NOT NULL,
    "level" "PadesLevel" NOT NULL,
    "timestamp_at" TIMESTAMPTZ(3),
    "claimed_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journal" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kinds" "DocumentKind"[],
    "index_pattern" TEXT NOT NULL,
    "default_file" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journal_counter" (
    "journal_id" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "journal_counter_pkey" PRIMARY KEY ("journal_id","year")
);

-- CreateTable
CREATE TABLE "nomenclature_file" (
    "id" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "index" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "unit_id" UUID,
    "retention" TEXT NOT NULL,
    "retention_years" INTEGER,
    "article" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "nomenclature_file_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registration" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "journal_id" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "index" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "registered_by_id" UUID NOT NULL,
    "file_id" UUID NOT NULL,
    "correspondent" TEXT NOT NULL DEFAULT '',
    "received_at" TIMESTAMPTZ(3),
    "resolution" TEXT NOT NULL DEFAULT '',
    "attachments" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "registration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "duty_catalog_item" (
    "id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "source_clause" TEXT NOT NULL,
    "unit_id" UUID,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "duty_catalog_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_description" (
    "id" UUID NOT NULL,
    "position_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "document_id" UUID NOT NULL,
    "sections" JSONB NOT NULL,
    "status" "JobDescriptionStatus" NOT NULL DEFAULT 'draft',
    "approved_at" TIMESTAMPTZ(3),
    "in_force_from" TIMESTAMPTZ(3),
    "in_force_until" TIMESTAMPTZ(3),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_description_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "acknowledgment" (
    "id" UUID NOT NULL,
    "job_description_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "full_name" TEXT NOT NULL,
    "version_sha256" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "acknowledgment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "signing_certificate_owner_id_idx" ON "signing_certificate"("owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "trust_anchor_sha256_key" ON "trust_anchor"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "signature_signed_version_id_key" ON "signature"("signed_version_id");

-- CreateIndex
CREATE INDEX "signature_document_id_idx" ON "signature"("document_id");

-- CreateIndex
CREATE UNIQUE INDEX "nomenclature_file_year_index_key" ON "nomenclature_file"("year", "index");

-- CreateIndex
CREATE UNIQUE INDEX "registration_document_id_key" ON "registration"("document_id");

-- CreateIndex
CREATE UNIQUE INDEX "registration_journal_id_year_seq_key" ON "registration"("journal_id", "year", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "registration_journal_id_year_index_key" ON "registration"("journal_id", "year", "index");

-- CreateIndex
CREATE UNIQUE INDEX "job_description_document_id_key" ON "job_description"("document_id");

-- CreateIndex
CREATE UNIQUE INDEX "job_description_position_id_version_key" ON "job_description"("position_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "acknowledgment_job_description_id_user_id_key" ON "acknowledgment"("job_description_id", "user_id");

-- AddForeignKey
ALTER TABLE "signing_certificate" ADD CONSTRAINT "signing_certificate_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signature" ADD CONSTRAINT "signature_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signature" ADD CONSTRAINT "signature_certificate_id_fkey" FOREIGN KEY ("certificate_id") REFERENCES "signing_certificate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "journal_counter" ADD CONSTRAINT "journal_counter_journal_id_fkey" FOREIGN KEY ("journal_id") REFERENCES "journal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registration" ADD CONSTRAINT "registration_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registration" ADD CONSTRAINT "registration_journal_id_fkey" FOREIGN KEY ("journal_id") REFERENCES "journal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registration" ADD CONSTRAINT "registration_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "nomenclature_file"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_description" ADD CONSTRAINT "job_description_position_id_fkey" FOREIGN KEY ("position_id") REFERENCES "position"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_description" ADD CONSTRAINT "job_description_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "acknowledgment" ADD CONSTRAINT "acknowledgment_job_description_id_fkey" FOREIGN KEY ("job_description_id") REFERENCES "job_description"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "acknowledgment" ADD CONSTRAINT "acknowledgment_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
