package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.backout.runbook.SqlScript;
import dev.backout.runbook.SqlStatement;
import dev.backout.runbook.Step;
import dev.backout.target.Targets;

/**
 * Turns a PostgreSQL error into plain words for the person at the console: what happened, what
 * it means for the target, and what to do.
 */
final class FailureExplanation {

	private FailureExplanation() {
	}

	static String explain(SQLException ex, PlannedStep step, String failedStatement, Connection probe) {
		String state = String.valueOf(ex.getSQLState());
		String server = firstLine(ex.getMessage());
		String undone = (step.kind() == Step.Kind.CHECK) ? ""
				: step.transactional() ? " Nothing was changed: the step's transaction was rolled back."
						: " This step runs outside a transaction: statements before the failing one stayed applied.";
		return switch (state) {
			case Targets.REFUSED_BY_CONSOLE -> "The console refused: " + server + undone;
			case "55P03" -> lockTimeout(step, failedStatement, probe) + undone + " It can be retried when the lock is free.";
			case "57014" -> (server.contains("statement timeout")
					? "The step ran longer than its statement timeout of " + human(step.timeoutMillis()) + " and was stopped."
					: "The step was cancelled from the console.") + undone;
			case "25006" -> "A check may only read: this query tried to write and the READ ONLY transaction refused it.";
			case "40P01" -> "PostgreSQL detected a deadlock with another session and stopped this step." + undone
					+ " It can be retried.";
			default -> "PostgreSQL refused the step: " + server + " (SQLSTATE " + state + ")." + undone;
		};
	}

	private static String lockTimeout(PlannedStep step, String statement, Connection probe) {
		String relation = relationOf(statement);
		StringBuilder text = new StringBuilder("The step waited longer than its lock timeout of ")
			.append(human(step.lockTimeoutMillis()))
			.append(" for a lock");
		if (relation != null) {
			text.append(" on ").append(relation);
			List<String> holders = holders(probe, relation);
			if (!holders.isEmpty()) {
				text.append(", held by ").append(String.join("; ", holders));
			}
		}
		return text.append(", and stopped waiting so that no traffic queued behind it.").toString();
	}

	/** The table a statement works on: the word after TABLE, ON, UPDATE, FROM, INTO or TRUNCATE. */
	static String relationOf(String statement) {
		if (statement == null) {
			return null;
		}
		List<SqlStatement> parsed = SqlScript.statements(statement);
		if (parsed.isEmpty()) {
			return null;
		}
		List<String> words = parsed.get(0).words();
		for (int i = 0; i < words.size() - 1; i++) {
			String word = words.get(i);
			if (List.of("TABLE", "ON", "UPDATE", "FROM", "INTO", "TRUNCATE").contains(word)) {
				int next = i + 1;
				while (next < words.size() && List.of("IF", "EXISTS", "ONLY", "NOT").contains(words.get(next))) {
					next++;
				}
				if (next < words.size()) {
					return words.get(next).toLowerCase();
				}
			}
		}
		return null;
	}

	private static List<String> holders(Connection probe, String relation) {
		List<String> holders = new ArrayList<>();
		if (probe == null) {
			return holders;
		}
		try (PreparedStatement query = probe.prepareStatement("""
				SELECT DISTINCT a.pid, coalesce(nullif(a.application_name, ''), a.usename, 'another role'),
				       coalesce(a.state, 'state not visible to this role'), l.mode
				FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.granted AND l.relation = to_regclass(?) AND a.pid <> pg_backend_pid()
				""")) {
			query.setString(1, relation);
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					holders.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ", " + rs.getString(4) + ")");
				}
			}
		}
		catch (SQLException ex) {
			// The explanation is a courtesy; without it the plain message still stands.
		}
		return holders;
	}

	static String human(long millis) {
		Duration duration = Duration.ofMillis(millis);
		if (millis % 60_000 == 0) {
			return duration.toMinutes() + " min";
		}
		return (millis % 1000 == 0) ? duration.toSeconds() + " s" : millis + " ms";
	}

	/**
	 * What the console knows when the connection broke: the server's own reason when it sent one
	 * (a terminated backend, a shutdown), else that the answer never came.
	 */
	static String lost(SQLException ex) {
		String state = String.valueOf(ex.getSQLState());
		String reason = switch (state) {
			case "57P01" -> "the target ended the step's session (" + firstLine(ex.getMessage()) + ", SQLSTATE 57P01)";
			case "57P02", "57P03" -> "the target server is shutting down or restarting (" + firstLine(ex.getMessage())
					+ ", SQLSTATE " + state + ")";
			default -> (ex.getCause() instanceof java.net.SocketTimeoutException)
					? "the target stopped answering (no reply within the statement timeout and its margin)"
					: "the connection to the target broke (" + firstLine(ex.getMessage()) + ")";
		};
		return "The console lost the step's session: " + reason + ".";
	}

	static String firstLine(String message) {
		if (message == null) {
			return "unknown error";
		}
		String line = message.lines().findFirst().orElse(message);
		return line.startsWith("ERROR: ") ? line.substring(7) : line;
	}

}
