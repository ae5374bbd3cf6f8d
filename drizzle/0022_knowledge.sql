CREATE TABLE "knowledge_articles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"locale" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector((case "locale" when 'ru' then 'russian'::regconfig else 'english'::regconfig end), "title"), 'A') || setweight(to_tsvector((case "locale" when 'ru' then 'russian'::regconfig else 'english'::regconfig end), coalesce("tags"[1], '') || ' ' || coalesce("tags"[2], '') || ' ' || coalesce("tags"[3], '') || ' ' || coalesce("tags"[4], '') || ' ' || coalesce("tags"[5], '') || ' ' || coalesce("tags"[6], '') || ' ' || coalesce("tags"[7], '') || ' ' || coalesce("tags"[8], '') || ' ' || coalesce("tags"[9], '') || ' ' || coalesce("tags"[10], '') || ' ' || coalesce("tags"[11], '') || ' ' || coalesce("tags"[12], '') || ' ' || coalesce("tags"[13], '') || ' ' || coalesce("tags"[14], '') || ' ' || coalesce("tags"[15], '') || ' ' || coalesce("tags"[16], '') || ' ' || coalesce("tags"[17], '') || ' ' || coalesce("tags"[18], '') || ' ' || coalesce("tags"[19], '') || ' ' || coalesce("tags"[20], '')), 'B') || setweight(to_tsvector((case "locale" when 'ru' then 'russian'::regconfig else 'english'::regconfig end), "body"), 'C')) STORED NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_articles_locale_known" CHECK ("knowledge_articles"."locale" in ('ru', 'en')),
	CONSTRAINT "knowledge_articles_slug_format" CHECK ("knowledge_articles"."slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length("knowledge_articles"."slug") <= 100),
	CONSTRAINT "knowledge_articles_tags_max" CHECK (cardinality("knowledge_articles"."tags") <= 20)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_articles_slug_locale" ON "knowledge_articles" USING btree ("slug","locale");--> statement-breakpoint
CREATE INDEX "knowledge_articles_locale_title" ON "knowledge_articles" USING btree ("locale","title");--> statement-breakpoint
CREATE INDEX "knowledge_articles_search" ON "knowledge_articles" USING gin ("search");