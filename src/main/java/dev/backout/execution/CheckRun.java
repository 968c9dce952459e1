package dev.backout.execution;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Consumer;

import dev.backout.runbook.Expectation;
import dev.backout.target.Targets;

/**
 * Runs a check's read-only statements in order, in the caller's READ ONLY transaction, and judges
 * them: the first value of the last statement against the expectation, or, for {@code succeeds}
 * and {@code fails}, whether a statement raised an error. A lost connection is never taken for a
 * raised error.
 */
final class CheckRun {

	/**
	 * @param shown what the check found, for people
	 * @param passed whether it met its expectation (null when it has none)
	 * @param failure why it did not, or null
	 */
	record Result(String shown, Boolean passed, String failure) {
	}

	private CheckRun() {
	}

	static Result run(Statement statement, List<String> statements, Expectation expect, Consumer<String> sending)
			throws SQLException {
		boolean hasRow = false;
		Object value = null;
		SQLException raised = null;
		for (String sql : statements) {
			sending.accept(sql);
			try {
				if (statement.execute(OneCommand.checked(sql))) {
					try (ResultSet rs = statement.getResultSet()) {
						hasRow = rs.next();
						value = hasRow ? rs.getObject(1) : null;
					}
				}
			}
			catch (SQLException ex) {
				if (expect == null || !expect.aboutErrors() || TargetSession.lost(ex, statement.getConnection())
						|| Targets.REFUSED_BY_CONSOLE.equals(ex.getSQLState())) {
					throw ex;
				}
				raised = ex;
				break;
			}
		}
		if (expect != null && expect.aboutErrors()) {
			boolean passed = Boolean.TRUE.equals(expect.fails()) == (raised != null);
			String shown = (raised != null)
					? "raised " + raised.getSQLState() + ": " + FailureExplanation.firstLine(raised.getMessage()) : "ran without an error";
			return new Result(shown, passed, passed ? null : "Check failed: " + expect.describe() + "; it " + shown + ".");
		}
		String shown = hasRow ? String.valueOf(value) : "(no rows)";
		if (expect == null) {
			return new Result(shown, null, null);
		}
		boolean passed = expect.isMetBy(hasRow, value);
		return new Result(shown, passed, passed ? null : "Check failed: " + expect.describe() + ", found " + shown + ".");
	}

}
