// drizzle-kit configuration for covara's drift check (used by drift.mjs,
// which sets COVARA_DRIZZLE_URL; the URL asks for read-only transactions).
// Only schema public is introspected, so covara's own schema "covara" is
// not part of the comparison.
import { fileURLToPath } from "node:url";

const url = process.env.COVARA_DRIZZLE_URL;
if (!url) {
	throw new Error("COVARA_DRIZZLE_URL is not set: run drift.mjs, not drizzle-kit directly");
}

export default {
	dialect: "postgresql",
	schema: fileURLToPath(new URL("./schema.ts", import.meta.url)),
	schemaFilter: ["public"],
	dbCredentials: { url },
	verbose: true,
	strict: true,
};
