package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.backout.system.ExecutionLock;
import dev.backout.target.Target;
import dev.backout.target.Targets;

/**
 * One connection to a target that holds the target's execution lock: a session-level advisory
 * lock, taken with try-lock (never a blocking wait) and released by PostgreSQL itself if the
 * console dies. The connection's application_name names the incident, so "busy with incident N"
 * can be told to the next person, and people on the target see who is connected.
 */
final class TargetSession implements AutoCloseable {

	static final int LOCK_CLASS = ExecutionLock.CLASS_ID;

	static final int LOCK_OBJECT = ExecutionLock.OBJECT_ID;

	static final String APPLICATION_PREFIX = "backout incident ";

	private final Connection connection;

	private final int backendPid;

	private TargetSession(Connection connection, int backendPid) {
		this.connection = connection;
		this.backendPid = backendPid;
	}

	static String applicationName(long incidentId) {
		return APPLICATION_PREFIX + incidentId;
	}

	/** @throws ExecutionRefused when another execution holds the target */
	static TargetSession open(Targets targets, Target target, String applicationName) throws SQLException {
		Connection connection = targets.connect(target, applicationName);
		try {
			if (!queryBoolean(connection, "SELECT pg_try_advisory_lock(" + LOCK_CLASS + ", " + LOCK_OBJECT + ")")) {
				String holder = holder(connection);
				throw new ExecutionRefused("Target " + target.name() + " is busy"
						+ ((holder != null) ? " with " + holder.replace("backout ", "") : "")
						+ ": one execution per target at a time. Try again when it has finished.");
			}
			try (Statement statement = connection.createStatement()) {
				statement.execute("CREATE SCHEMA IF NOT EXISTS backout");
				statement.execute("""
						CREATE TABLE IF NOT EXISTS backout.applied_step (
						  incident_id bigint NOT NULL,
						  step_id text NOT NULL,
						  attempt integer NOT NULL,
						  applied_at timestamptz NOT NULL DEFAULT now(),
						  PRIMARY KEY (incident_id, step_id, attempt))""");
			}
			int pid;
			try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
				rs.next();
				pid = rs.getInt(1);
			}
			return new TargetSession(connection, pid);
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	Connection connection() {
		return this.connection;
	}

	int backendPid() {
		return this.backendPid;
	}

	/** Whether the marker of this attempt was committed on the target. */
	boolean markerExists(long incidentId, String stepId, int attempt) throws SQLException {
		try (PreparedStatement query = this.connection.prepareStatement(
				"SELECT 1 FROM backout.applied_step WHERE incident_id = ? AND step_id = ? AND attempt = ?")) {
			query.setLong(1, incidentId);
			query.setString(2, stepId);
			query.setInt(3, attempt);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next();
			}
		}
	}

	/** Writes the marker in the step's own transaction: it commits exactly when the step does. */
	void writeMarker(long incidentId, String stepId, int attempt) throws SQLException {
		try (PreparedStatement insert = this.connection
			.prepareStatement("INSERT INTO backout.applied_step (incident_id, step_id, attempt) VALUES (?, ?, ?)")) {
			insert.setLong(1, incidentId);
			insert.setString(2, stepId);
			insert.setInt(3, attempt);
			insert.executeUpdate();
		}
	}

	private static String holder(Connection connection) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("""
				SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND l.classid = ? AND l.objid = ? AND l.objsubid = 2 AND l.granted
				""")) {
			query.setLong(1, LOCK_CLASS);
			query.setLong(2, LOCK_OBJECT);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getString(1) : null;
			}
		}
	}

	private static boolean queryBoolean(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getBoolean(1);
		}
	}

	/**
	 * Releases the lock explicitly, then closes: closing alone returns before the server backend
	 * exits, and the next step's try-lock could still see this lock. An open transaction (a
	 * step that died half-way) is rolled back by the server when the connection closes.
	 */
	@Override
	public void close() throws SQLException {
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("SELECT pg_advisory_unlock(" + LOCK_CLASS + ", " + LOCK_OBJECT + ")");
		}
		catch (SQLException ex) {
			// The connection is broken: the server releases the lock when the backend ends.
		}
		finally {
			this.connection.close();
		}
	}

}
