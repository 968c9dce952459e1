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
		}
		if (first.equals("TRUNCATE")) {
			return Optional.of("TRUNCATE");
		}
		if (isDelete() && !this.words.contains("WHERE")) {
			return Optional.of("DELETE without WHERE");
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

	private boolean isDelete() {
		if (word(0).equals("DELETE")) {
			return true;
		}
		int delete = this.words.indexOf("DELETE");
		return word(0).equals("WITH") && delete > 0 && word(delete + 1).equals("FROM");
	}

	/** Whether this statement writes anything at all (a destructive marking on it is plausible). */
	public boolean changesData() {
		return Set.of("DELETE", "UPDATE", "INSERT", "MERGE", "DROP", "TRUNCATE", "ALTER").contains(word(0))
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

	/** A DO block: its body is a string, so the lexer cannot see what it does. */
	public boolean isOpaqueBlock() {
		return word(0).equals("DO");
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
