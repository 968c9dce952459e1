package dev.backout.runbook;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One statement of a script, with the words that decide what it does: comments and the
 * contents of string literals (including dollar-quoted bodies) are not words, so
 * {@code -- DROP TABLE x} or {@code 'DROP'} never count as a statement.
 */
public record SqlStatement(String text, List<String> words) {

	private static final Set<String> DROPPED_OBJECTS_HOLDING_DATA = Set.of("TABLE", "SCHEMA", "TYPE", "DATABASE");

	/** What follows {@code ALTER ... DROP} when no data is lost. */
	private static final Set<String> HARMLESS_ALTER_DROPS = Set.of("CONSTRAINT", "DEFAULT", "NOT", "IDENTITY",
			"EXPRESSION", "POLICY", "TRIGGER");

	private static final Set<String> TRANSACTION_CONTROL = Set.of("BEGIN", "COMMIT", "ROLLBACK", "END", "START",
			"SAVEPOINT", "RELEASE", "ABORT", "PREPARE");

	private static final Set<String> READ_ONLY_STARTS = Set.of("SELECT", "WITH", "SHOW", "VALUES", "TABLE");

	/**
	 * Functions that act even in a READ ONLY transaction: other connections (dblink*), other
	 * sessions (terminate, cancel), the session itself (set_config), the server's files and
	 * programs, large objects, configuration, sequences, advisory locks, notifications, WAL and
	 * replication. A check that names one is refused when the runbook is loaded.
	 */
	private static final Set<String> SIDE_EFFECT_FUNCTIONS = Set.of("PG_TERMINATE_BACKEND", "PG_CANCEL_BACKEND",
			"SET_CONFIG", "PG_READ_FILE", "PG_READ_BINARY_FILE", "PG_STAT_FILE", "PG_RELOAD_CONF", "PG_ROTATE_LOGFILE",
			"NEXTVAL", "SETVAL", "PG_NOTIFY", "PG_PROMOTE", "PG_SWITCH_WAL", "PG_CREATE_RESTORE_POINT",
			"PG_LOGICAL_EMIT_MESSAGE", "PG_FILE_WRITE", "PG_FILE_RENAME", "PG_FILE_UNLINK", "PG_FILE_SYNC",
			"PG_IMPORT_SYSTEM_COLLATIONS", "PG_LOG_BACKEND_MEMORY_CONTEXTS", "PG_SLEEP", "PG_SLEEP_FOR", "PG_SLEEP_UNTIL",
			"TXID_CURRENT", "PG_CURRENT_XACT_ID", "QUERY_TO_XML", "QUERY_TO_XML_AND_XMLSCHEMA", "CURSOR_TO_XML",
			"TABLE_TO_XML", "DATABASE_TO_XML", "SCHEMA_TO_XML");

	/** Prefixes of function families with side effects: dblink, large objects, directory listings, advisory locks, replication. */
	private static final List<String> SIDE_EFFECT_PREFIXES = List.of("DBLINK", "LO_", "PG_LS_", "PG_ADVISORY_",
			"PG_TRY_ADVISORY_", "PG_REPLICATION_", "PG_CREATE_LOGICAL_REPLICATION_SLOT", "PG_CREATE_PHYSICAL_REPLICATION_SLOT",
			"PG_DROP_REPLICATION_SLOT", "PG_COPY_", "PG_WAL_REPLAY_");

	/** Statements that change privileges or roles: they need destructive: true and a typed confirmation. */
	private static final Set<String> PRIVILEGE_STARTS = Set.of("GRANT", "REVOKE", "REASSIGN");

	private static final Set<String> ROLE_OBJECTS = Set.of("ROLE", "USER", "GROUP");

	/** The console's own schemas on a target: its step markers and its backups. */
	private static final Set<String> CONSOLE_SCHEMAS = Set.of("BACKOUT", "BACKOUT_BACKUP", "\"backout\"", "\"backout_backup\"");

	public SqlStatement {
		words = List.copyOf(words);
	}

	private String word(int index) {
		return (index < this.words.size()) ? this.words.get(index) : "";
	}

	/**
	 * Why this statement destroys data, e.g. "DROP TABLE", or empty when it does not:
	 * DROP TABLE/SCHEMA/TYPE/DATABASE/MATERIALIZED VIEW, TRUNCATE, DELETE without WHERE,
	 * ALTER … DROP [COLUMN].
	 */
	public Optional<String> destruction() {
		String first = word(0);
		if (first.equals("DROP")) {
			if (DROPPED_OBJECTS_HOLDING_DATA.contains(word(1))) {
				return Optional.of("DROP " + word(1));
			}
			if (word(1).equals("MATERIALIZED") && word(2).equals("VIEW")) {
				return Optional.of("DROP MATERIALIZED VIEW");
			}
			if (word(1).equals("OWNED")) {
				return Optional.of("DROP OWNED");
			}
			if (this.words.contains("CASCADE")) {
				// A cascade reaches columns and tables: DROP DOMAIN … CASCADE drops every column of the domain.
				return Optional.of("DROP " + word(1) + " … CASCADE");
			}
		}
		if (first.equals("TRUNCATE")) {
			return Optional.of("TRUNCATE");
		}
		if (isDelete() && !filters()) {
			return Optional.of("DELETE without a WHERE that filters");
		}
		if (isUpdate() && !filters()) {
			return Optional.of("UPDATE without a WHERE that filters");
		}
		Optional<String> privileges = privileges();
		if (privileges.isPresent()) {
			return privileges;
		}
		if (first.equals("ALTER") && (word(1).equals("TABLE") || word(1).equals("TYPE"))) {
			for (int i = 2; i < this.words.size() - 1; i++) {
				if (this.words.get(i).equals("DROP") && !HARMLESS_ALTER_DROPS.contains(this.words.get(i + 1))) {
					return Optional.of(this.words.get(i + 1).equals("COLUMN") ? "ALTER … DROP COLUMN" : "ALTER … DROP");
				}
			}
		}
		return Optional.empty();
	}

	/** A WHERE that is not just {@code WHERE true} (or {@code WHERE 1 = 1} and the like: a constant compared to itself). */
	private boolean filters() {
		int where = this.words.lastIndexOf("WHERE");
		if (where < 0) {
			return false;
		}
		List<String> condition = this.words.subList(where + 1, this.words.size());
		return !(condition.isEmpty() || condition.equals(List.of("TRUE")) || condition.equals(List.of("NOT", "FALSE")));
	}

	private boolean isUpdate() {
		return word(0).equals("UPDATE") || word(0).equals("WITH") && this.words.contains("UPDATE");
	}

	/** GRANT, REVOKE, role changes, ownership changes, SET ROLE: what changes who may do what. */
	public Optional<String> privileges() {
		String first = word(0);
		if (PRIVILEGE_STARTS.contains(first)) {
			return Optional.of(first + " (changes privileges)");
		}
		if ((first.equals("CREATE") || first.equals("ALTER") || first.equals("DROP")) && ROLE_OBJECTS.contains(word(1))) {
			return Optional.of(first + " " + word(1) + " (changes roles)");
		}
		if (first.equals("ALTER") && word(1).equals("DEFAULT") && word(2).equals("PRIVILEGES")) {
			return Optional.of("ALTER DEFAULT PRIVILEGES (changes privileges)");
		}
		for (int i = 0; i < this.words.size() - 1; i++) {
			if (this.words.get(i).equals("OWNER") && this.words.get(i + 1).equals("TO")) {
				return Optional.of("OWNER TO (changes ownership)");
			}
		}
		if (first.equals("SET") && (word(1).equals("ROLE") || word(1).equals("SESSION") && word(2).equals("AUTHORIZATION"))) {
			return Optional.of("SET ROLE (changes who the session is)");
		}
		if (first.equals("CREATE") && this.words.contains("SECURITY") && this.words.contains("DEFINER")) {
			return Optional.of("SECURITY DEFINER (runs as its owner)");
		}
		return Optional.empty();
	}

	/**
	 * Why a step may never run this, whatever it is marked: it runs programs or touches the
	 * server's files (COPY to or from a file or program, LOAD), reconfigures the server
	 * (ALTER SYSTEM), or reaches into the console's own schemas on the target.
	 */
	public Optional<String> refusal() {
		String first = word(0);
		if (first.equals("COPY")) {
			return Optional.of("COPY reads or writes the server's files or runs a program; copy data with SQL");
		}
		if (first.equals("LOAD")) {
			return Optional.of("LOAD loads a shared library into the server");
		}
		if (first.equals("ALTER") && word(1).equals("SYSTEM")) {
			return Optional.of("ALTER SYSTEM changes the server's configuration");
		}
		if (this.words.stream().anyMatch(CONSOLE_SCHEMAS::contains)) {
			return Optional.of("it names the console's own schemas (backout, backout_backup), which hold its step markers and backups");
		}
		return Optional.empty();
	}

	/** A function a check may not call, by name (quoted or schema-qualified names included). */
	public Optional<String> sideEffectFunction() {
		for (String word : this.words) {
			String name = (word.startsWith("\"") && word.endsWith("\"") && word.length() > 1)
					? normalize(word.substring(1, word.length() - 1)) : word;
			if (SIDE_EFFECT_FUNCTIONS.contains(name) || SIDE_EFFECT_PREFIXES.stream().anyMatch(name::startsWith)) {
				return Optional.of(name.toLowerCase(Locale.ROOT));
			}
		}
		if (this.words.contains("INTO") && word(0).equals("SELECT")) {
			return Optional.of("SELECT … INTO (creates a table)");
		}
		return Optional.empty();
	}

	/** Statements whose effect is decided when they run: a DO block, EXECUTE of a prepared statement. */
	public boolean isDynamic() {
		return word(0).equals("DO") || word(0).equals("EXECUTE");
	}

	private boolean isDelete() {
		if (word(0).equals("DELETE")) {
			return true;
		}
		int delete = this.words.indexOf("DELETE");
		return word(0).equals("WITH") && delete > 0 && word(delete + 1).equals("FROM");
	}

	/** Whether this statement writes anything at all (a destructive marking on it is plausible). */
	public boolean changesData() {
		return Set.of("DELETE", "UPDATE", "INSERT", "MERGE", "DROP", "TRUNCATE", "ALTER", "GRANT", "REVOKE", "REASSIGN")
			.contains(word(0))
				|| word(0).equals("WITH") && (this.words.contains("DELETE") || this.words.contains("UPDATE"));
	}

	/** BEGIN, COMMIT and friends: the console owns transactions, scripts may not. */
	public boolean isTransactionControl() {
		return TRANSACTION_CONTROL.contains(word(0));
	}

	/** Statements PostgreSQL refuses inside a transaction block. */
	public boolean requiresNoTransaction() {
		String first = word(0);
		if (first.equals("VACUUM") || (first.equals("CREATE") || first.equals("DROP")) && word(1).equals("DATABASE")
				|| first.equals("ALTER") && word(1).equals("SYSTEM")) {
			return true;
		}
		boolean indexStatement = first.equals("REINDEX") || (first.equals("CREATE") || first.equals("DROP"))
				&& (word(1).equals("INDEX") || word(1).equals("UNIQUE") && word(2).equals("INDEX"));
		return indexStatement && this.words.contains("CONCURRENTLY");
	}

	/** A DROP (or ALTER … DROP COLUMN) that fails when the object is already gone. */
	public boolean dropsWithoutIfExists() {
		boolean drop = word(0).equals("DROP") || destruction().filter((d) -> d.startsWith("ALTER")).isPresent();
		if (!drop) {
			return false;
		}
		for (int i = 0; i < this.words.size() - 1; i++) {
			if (this.words.get(i).equals("IF") && this.words.get(i + 1).equals("EXISTS")) {
				return false;
			}
		}
		return true;
	}

	/** A plain query: SELECT, WITH … SELECT, SHOW, VALUES or TABLE, with no data-changing keyword. */
	public boolean isReadOnlyQuery() {
		if (!READ_ONLY_STARTS.contains(word(0))) {
			return false;
		}
		return !(this.words.contains("INSERT") || this.words.contains("UPDATE") || this.words.contains("DELETE")
				|| this.words.contains("MERGE"));
	}

	/** The first words, for messages: "DROP TABLE IF EXISTS …". */
	public String summary() {
		String flat = this.text.replaceAll("\\s+", " ").trim();
		return (flat.length() > 80) ? flat.substring(0, 77) + "…" : flat;
	}

	static String normalize(String word) {
		return word.toUpperCase(Locale.ROOT);
	}

}
