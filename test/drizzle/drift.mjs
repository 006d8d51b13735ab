#!/usr/bin/env node
// covara's drift check: what would `drizzle-kit push` run to make a database
// match covara's Drizzle definitions (schema.ts)?
//
//   node drift.mjs [DBNAME]
//
// Connects like libpq does, from PGHOST, PGPORT, PGUSER, PGPASSWORD and
// PGDATABASE (DBNAME overrides PGDATABASE), and prints every SQL statement
// drizzle-kit would run, one per line, then a last line "drift: N
// statements" (a primary key it would drop and add back unchanged is not
// drift: see sameKeyPairs).  Exit status 0 whether or not there is drift
// (the caller asserts on N); non-zero only when the check itself could not
// be done.
//
// It drives the real CLI, `drizzle-kit push --strict --verbose`, with schema
// public only (schemaFilter), so covara's own schema "covara" is ignored.
// (The programmatic pushSchema of drizzle-kit 0.31 cannot be used: it drops
// query parameters when it introspects, and its query for the names of
// composite primary keys then fails with "there is no parameter $1".)
// The check never changes the database, twice over: push shows the
// statements and then asks for confirmation, which without a terminal (stdin
// is not one here) fails, so nothing is executed; and the connection runs
// with default_transaction_read_only=on, so even a statement that slipped
// through would fail.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const drizzleKit = path.join(here, "node_modules", "drizzle-kit", "bin.cjs");
const timeoutMs = 300_000;

function fail(message, output) {
	process.stderr.write(`drift.mjs: ${message}\n`);
	if (output) {
		process.stderr.write(output.replace(/^/gm, "  | ") + "\n");
	}
	process.exit(2);
}

// The connection URL, from the libpq environment variables.  The password
// stays out of it: node-postgres reads PGPASSWORD (or ~/.pgpass) itself.
function connectionUrl() {
	const env = process.env;
	const user = env.PGUSER || os.userInfo().username;
	const database = process.argv[2] || env.PGDATABASE || user;
	const host = env.PGHOST || "/var/run/postgresql";
	const port = env.PGPORT || "5432";
	const options = [env.PGOPTIONS, "-c default_transaction_read_only=on"]
		.filter(Boolean)
		.join(" ");
	const enc = encodeURIComponent;
	// host (a name, an address or a socket directory) goes in the query,
	// where node-postgres takes it as it is.
	return (
		`postgresql://${enc(user)}@localhost:${enc(port)}/${enc(database)}` +
		`?host=${enc(host)}&options=${enc(options)}`
	);
}

function runDrizzleKit(url) {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[
				drizzleKit,
				"push",
				"--config",
				path.join(here, "drizzle.config.mjs"),
				"--verbose",
				"--strict",
			],
			{
				cwd: here,
				// stdin is not a terminal, so push's confirmation prompt fails
				// instead of waiting, and nothing gets executed
				stdio: ["ignore", "pipe", "pipe"],
				env: {
					...process.env,
					COVARA_DRIZZLE_URL: url,
					NO_COLOR: "1",
					FORCE_COLOR: "0",
				},
			},
		);
		let stdout = "";
		let stderr = "";
		child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
		child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
		const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
		child.on("error", reject);
		child.on("close", (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal, stdout, stderr });
		});
	});
}

// drizzle-kit's output without terminal control sequences.
function plain(text) {
	return text
		.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
		.replace(/\r/g, "");
}

if (!existsSync(drizzleKit)) {
	fail(
		`drizzle-kit is not installed in ${here}/node_modules; ` +
			"run `npm ci` there (test/run-all does)",
	);
}

const url = connectionUrl();

// Connect once ourselves first: drizzle-kit hides connection errors, and
// this proves the session is read-only before drizzle-kit gets it.
{
	const { default: pg } = await import("pg");
	const client = new pg.Client({ connectionString: url });
	try {
		await client.connect();
		const r = await client.query("SHOW default_transaction_read_only");
		if (r.rows[0].default_transaction_read_only !== "on") {
			fail("the connection is not read-only; refusing to run drizzle-kit push");
		}
	} catch (e) {
		fail(`cannot connect to the database: ${e.message}`);
	} finally {
		await client.end().catch(() => {});
	}
}
const { code, signal, stdout, stderr } = await runDrizzleKit(url);
const out = plain(stdout);
const err = plain(stderr);
const everything = `${out}${err ? `\n[stderr]\n${err}` : ""}`;

if (signal) {
	fail(`drizzle-kit push was killed (${signal}) after ${timeoutMs / 1000} s`, everything);
}
if (/Changes applied/.test(out)) {
	fail("drizzle-kit push reports that it applied changes", everything);
}
if (/read-only transaction/.test(err)) {
	fail("drizzle-kit push tried to change the database (refused: read-only)", everything);
}

const marker = "You are about to execute current statements:";
const lines = out.split("\n");
const start = lines.findIndex((l) => l.includes(marker));
let statements = [];

if (start < 0) {
	if (/prompt\w*Conflict/.test(err)) {
		fail(
			"the database differs from schema.ts in a way drizzle-kit push can only settle by asking " +
				"whether a table or column was renamed (a column or table missing and another one extra); " +
				"that is drift, but its statements cannot be listed without a terminal",
			everything,
		);
	}
	if (!/\[i\] No changes detected/.test(out) || code !== 0) {
		fail(
			`drizzle-kit push neither listed statements nor reported "No changes detected" (exit status ${code})`,
			everything,
		);
	}
} else {
	// The statements follow the marker; a statement may span lines and ends
	// with ";".  After them comes, at most, the data-loss warning.
	let current = [];
	for (const line of lines.slice(start + 1)) {
		if (/Found data-loss statements:|THIS ACTION WILL CAUSE DATA LOSS/.test(line)) {
			break;
		}
		const t = line.trim();
		// drizzle-kit separates statements with a marker line: not SQL
		if (t === "" || t === "--> statement-breakpoint") {
			continue;
		}
		current.push(t);
		if (t.endsWith(";")) {
			statements.push(current.join(" "));
			current = [];
		}
	}
	if (current.length > 0) {
		statements.push(current.join(" "));
	}
	// push must have stopped at its confirmation prompt, which fails
	// without a terminal; anything else is not a result to trust.
	if (!/Interactive prompts require a TTY/.test(err)) {
		fail("drizzle-kit push listed statements but did not stop at its confirmation prompt", everything);
	}
	if (statements.length === 0) {
		fail("drizzle-kit push announced statements but listed none", everything);
	}
}

// drizzle-kit 0.31 reads the columns of a composite primary key in the order
// the catalog happens to return them (its query has no ORDER BY);
// PostgreSQL 18 often returns them in another order than the key's, and push
// then drops the key and adds the same key back.  Such a pair changes
// nothing: once the database confirms that the key added back is exactly the
// key there is (same table, name, columns and column order), both
// statements are reported on stderr as "unchanged:" and not counted.
async function sameKeyPairs(stmts) {
	const drop = /^ALTER TABLE "([^"]+)" DROP CONSTRAINT "([^"]+)";$/;
	const add = /^ALTER TABLE "([^"]+)" ADD CONSTRAINT "([^"]+)" PRIMARY KEY\(("[^"]+"(?:,"[^"]+")*)\);$/;
	const unchanged = new Set();
	const { default: pg } = await import("pg");
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		for (const a of stmts) {
			const m = add.exec(a);
			if (!m) {
				continue;
			}
			const d = stmts.find((s) => {
				const n = drop.exec(s);
				return n && n[1] === m[1] && n[2] === m[2];
			});
			if (!d) {
				continue;
			}
			const columns = m[3].slice(1, -1).split('","');
			const r = await client.query(
				`SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
				   FROM pg_catalog.pg_constraint c
				  CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
				   JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
				  WHERE c.contype = 'p' AND c.conname = $2
				    AND c.conrelid = pg_catalog.to_regclass('public.' || pg_catalog.quote_ident($1))`,
				[m[1], m[2]],
			);
			const have = r.rows[0].cols;
			if (have && have.length === columns.length && have.every((c, i) => c === columns[i])) {
				unchanged.add(a);
				unchanged.add(d);
			}
		}
	} finally {
		await client.end().catch(() => {});
	}
	return unchanged;
}

const unchanged = await sameKeyPairs(statements);
for (const s of statements) {
	if (unchanged.has(s)) {
		process.stderr.write(`unchanged: ${s}\n`);
	}
}
statements = statements.filter((s) => !unchanged.has(s));
for (const s of statements) {
	process.stdout.write(`${s}\n`);
}
process.stdout.write(`drift: ${statements.length} statements\n`);
