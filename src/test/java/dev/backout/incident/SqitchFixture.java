package dev.backout.incident;

import java.util.List;
import java.util.Map;

/** A small sqitch project, as sqitch lays it out, and its database as deployed with sqitch's registry. */
public final class SqitchFixture {

	private SqitchFixture() {
	}

	public static final String PLAN = """
			%syntax-version=1.0.0
			%project=flipr
			%uri=https://example.com/flipr/

			appschema 2026-01-01T10:00:00Z Marge N. O'Vera <marge@example.com> # Add schema for all flipr objects.
			users [appschema] 2026-01-02T10:00:00Z Marge N. O'Vera <marge@example.com> # Creates table to track our users.
			@v1.0 2026-01-03T10:00:00Z Marge N. O'Vera <marge@example.com> # Tag v1.0.

			flips [appschema users] 2026-01-04T10:00:00Z Marge N. O'Vera <marge@example.com> # Adds table for storing flips.
			userstats [users flips] 2026-01-05T10:00:00Z Marge N. O'Vera <marge@example.com> # A view of user stats.
			users [users@v1.0] 2026-01-06T10:00:00Z Marge N. O'Vera <marge@example.com> # Adds twitter column to users.
			""";

	/** The project's files as sqitch writes them: every script in its own transaction. */
	public static final Map<String, String> SCRIPTS = Map.ofEntries(
			Map.entry("deploy/appschema.sql", script("Deploy flipr:appschema to pg", "CREATE SCHEMA flipr;")),
			Map.entry("deploy/users@v1.0.sql", script("Deploy flipr:users to pg",
					"CREATE TABLE flipr.users (nickname TEXT PRIMARY KEY, password TEXT NOT NULL);")),
			Map.entry("deploy/flips.sql", script("Deploy flipr:flips to pg",
					"CREATE TABLE flipr.flips (id BIGSERIAL PRIMARY KEY, nickname TEXT NOT NULL REFERENCES flipr.users (nickname), body TEXT);")),
			Map.entry("deploy/userstats.sql", script("Deploy flipr:userstats to pg", """
					CREATE VIEW flipr.userstats AS SELECT u.nickname, count(f.id) AS flips
					FROM flipr.users u LEFT JOIN flipr.flips f ON f.nickname = u.nickname GROUP BY u.nickname;""")),
			Map.entry("deploy/users.sql", script("Deploy flipr:users to pg", "ALTER TABLE flipr.users ADD COLUMN twitter TEXT;")),
			Map.entry("revert/appschema.sql", script("Revert flipr:appschema from pg", "DROP SCHEMA flipr;")),
			Map.entry("revert/users@v1.0.sql", script("Revert flipr:users from pg", "DROP TABLE flipr.users;")),
			Map.entry("revert/flips.sql", script("Revert flipr:flips from pg", "DROP TABLE flipr.flips;")),
			Map.entry("revert/userstats.sql", script("Revert flipr:userstats from pg", "DROP VIEW flipr.userstats;")),
			Map.entry("revert/users.sql", script("Revert flipr:users from pg", "ALTER TABLE flipr.users DROP COLUMN twitter;")),
			Map.entry("verify/appschema.sql", verify("Verify flipr:appschema on pg", "SELECT pg_catalog.has_schema_privilege('flipr', 'usage');")),
			Map.entry("verify/users@v1.0.sql", verify("Verify flipr:users on pg", "SELECT nickname, password FROM flipr.users WHERE FALSE;")),
			Map.entry("verify/flips.sql", verify("Verify flipr:flips on pg", "SELECT id, nickname, body FROM flipr.flips WHERE FALSE;")),
			Map.entry("verify/userstats.sql", verify("Verify flipr:userstats on pg", "SELECT nickname, flips FROM flipr.userstats WHERE FALSE;")),
			Map.entry("verify/users.sql", verify("Verify flipr:users on pg", "SELECT nickname, password, twitter FROM flipr.users WHERE FALSE;")));

	/** sqitch's registry on PostgreSQL (the tables and constraints a revert touches). */
	public static final String REGISTRY = """
			CREATE SCHEMA sqitch;
			CREATE TABLE sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE,
			  created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), creator_name TEXT NOT NULL, creator_email TEXT NOT NULL);
			CREATE TABLE sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL,
			  project TEXT NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
			  committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
			  planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, script_hash));
			CREATE TABLE sqitch.tags (tag_id TEXT PRIMARY KEY, tag TEXT NOT NULL,
			  project TEXT NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
			  change_id TEXT NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
			  committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
			  planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, tag));
			CREATE TABLE sqitch.dependencies (
			  change_id TEXT NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE ON DELETE CASCADE,
			  type TEXT NOT NULL, dependency TEXT NOT NULL,
			  dependency_id TEXT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE,
			  PRIMARY KEY (change_id, dependency));
			CREATE TABLE sqitch.events (event TEXT NOT NULL CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
			  change_id TEXT NOT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
			  note TEXT NOT NULL DEFAULT '', requires TEXT[] NOT NULL DEFAULT '{}', conflicts TEXT[] NOT NULL DEFAULT '{}',
			  tags TEXT[] NOT NULL DEFAULT '{}', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
			  committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL,
			  planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, PRIMARY KEY (change_id, committed_at));
			INSERT INTO sqitch.projects VALUES ('flipr', 'https://example.com/flipr/', now(), 'Marge', 'marge@example.com');
			""";

	/** What `sqitch deploy` recorded: each change, its dependencies, the tag, and deploy events. */
	public static final String DEPLOYED = """
			INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committed_at, committer_name, committer_email,
			  planned_at, planner_name, planner_email)
			SELECT id, 'hash-' || id, change, 'flipr', note, timestamptz '2026-02-01' + n * interval '1 minute', 'Marge',
			  'marge@example.com', timestamptz '2026-01-01' + n * interval '1 day', 'Marge', 'marge@example.com'
			FROM (VALUES (1, 'c1', 'appschema', 'Add schema'), (2, 'c2', 'users', 'Creates table'), (3, 'c3', 'flips', 'Adds flips'),
			  (4, 'c4', 'userstats', 'User stats'), (5, 'c5', 'users', 'Adds twitter')) AS d (n, id, change, note);
			INSERT INTO sqitch.tags VALUES ('t1', '@v1.0', 'flipr', 'c2', 'Tag v1.0', now(), 'Marge', 'marge@example.com', now(), 'Marge',
			  'marge@example.com');
			INSERT INTO sqitch.dependencies VALUES ('c2', 'require', 'appschema', 'c1'), ('c3', 'require', 'appschema', 'c1'),
			  ('c3', 'require', 'users', 'c2'), ('c4', 'require', 'users', 'c2'), ('c4', 'require', 'flips', 'c3'),
			  ('c5', 'require', 'users@v1.0', 'c2');
			INSERT INTO sqitch.events (event, change_id, change, project, committer_name, committer_email, planned_at, planner_name,
			  planner_email)
			SELECT 'deploy', change_id, change, project, 'Marge', 'marge@example.com', planned_at, 'Marge', 'marge@example.com'
			FROM sqitch.changes;
			""";

	static String deployed() {
		return String.join("\n", List.of("deploy/appschema.sql", "deploy/users@v1.0.sql", "deploy/flips.sql", "deploy/userstats.sql",
				"deploy/users.sql").stream().map(SCRIPTS::get).map((sql) -> sql.replace("BEGIN;", "").replace("COMMIT;", "")).toList());
	}

	private static String script(String header, String body) {
		return "-- " + header + "\n\nBEGIN;\n\n" + body + "\n\nCOMMIT;\n";
	}

	private static String verify(String header, String body) {
		return "-- " + header + "\n\nBEGIN;\n\n" + body + "\n\nROLLBACK;\n";
	}

}
