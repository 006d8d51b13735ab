// covara's Drizzle definitions of its four auth tables, written from the
// contract (doc/compatibility.md, section 1): what a covara application spreads into
// its own schema and runs `drizzle-kit push` / `generate` with.  The drift
// check (drift.mjs) compares a database with exactly these definitions, so
// keep them the framework's, not the extension's: table and column names
// (camelCase, case-sensitive), types (timestamp without time zone, read and
// written as JS Dates in UTC), nullability, and the primary-key and index
// names drizzle-kit expects.
import {
	index,
	jsonb,
	pgTable,
	primaryKey,
	text,
	timestamp,
} from "drizzle-orm/pg-core";

export const authSessions = pgTable(
	"auth_sessions",
	{
		id: text("id").primaryKey(),
		userId: text("userId").notNull(),
		createdAt: timestamp("createdAt", { mode: "date" }).notNull(),
		expiresAt: timestamp("expiresAt", { mode: "date" }).notNull(),
		data: text("data"),
	},
	(t) => [
		index("auth_session_userId_idx").on(t.userId),
		index("auth_session_expiresAt_idx").on(t.expiresAt),
	],
);

export const authAccounts = pgTable(
	"auth_accounts",
	{
		userId: text("userId").notNull(),
		type: text("type").notNull(),
		provider: text("provider").notNull(),
		providerAccountId: text("providerAccountId").notNull(),
		refresh_token: text("refresh_token"),
		access_token: text("access_token"),
		expires_at: timestamp("expires_at", { mode: "date" }),
		token_type: text("token_type"),
		scope: text("scope"),
		id_token: text("id_token"),
		session_state: text("session_state"),
	},
	(t) => [
		// drizzle-kit names it auth_accounts_provider_providerAccountId_pk
		primaryKey({ columns: [t.provider, t.providerAccountId] }),
		index("auth_account_userId_idx").on(t.userId),
	],
);

export const authApiKeys = pgTable(
	"auth_api_keys",
	{
		id: text("id").primaryKey(),
		userId: text("userId").notNull(),
		name: text("name").notNull(),
		keyHash: text("keyHash").notNull(),
		keyPrefix: text("keyPrefix").notNull(),
		scopes: jsonb("scopes").$type<string[]>(),
		createdAt: timestamp("createdAt", { mode: "date" }).notNull(),
		expiresAt: timestamp("expiresAt", { mode: "date" }),
		lastUsedAt: timestamp("lastUsedAt", { mode: "date" }),
		revokedAt: timestamp("revokedAt", { mode: "date" }),
	},
	(t) => [
		index("auth_api_key_userId_idx").on(t.userId),
		index("auth_api_key_prefix_idx").on(t.keyPrefix),
	],
);

export const authVerificationTokens = pgTable(
	"auth_verification_tokens",
	{
		identifier: text("identifier").notNull(),
		token: text("token").notNull(),
		expires: timestamp("expires", { mode: "date" }).notNull(),
	},
	(t) => [
		// drizzle-kit names it auth_verification_tokens_identifier_token_pk
		primaryKey({ columns: [t.identifier, t.token] }),
	],
);
