package dev.backout.execution;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import dev.backout.target.Targets;
import org.postgresql.core.Parser;

/**
 * Runbook SQL reaches the server one command at a time, exactly as the runbook's lexer split
 * it. pgjdbc would send each part of a text it sees as several queries, so such a text is
 * refused here; a text pgjdbc sees as one goes out in a single Parse message of the extended
 * protocol ({@code Targets.connect} forces it), and the server refuses a second command hidden
 * from both lexers. JDBC escape processing is off: what the approver read is what is sent.
 */
final class OneCommand {

	private OneCommand() {
	}

	static Statement statement(Connection connection) throws SQLException {
		Statement statement = connection.createStatement();
		statement.setEscapeProcessing(false);
		return statement;
	}

	/** {@code sql}, if it is one command to pgjdbc; otherwise a refusal before anything is sent. */
	static String checked(String sql) throws SQLException {
		int parts = Parser.parseJdbcSql(sql, true, false, true, false, false).size();
		if (parts != 1) {
			throw new SQLException("The console sends one command at a time, and this statement holds " + parts
					+ " to the driver: it was not sent. Split it in the runbook.", Targets.REFUSED_BY_CONSOLE);
		}
		return sql;
	}

}
